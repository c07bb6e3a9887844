// Test helpers for code that consumes records; outside src/, so no build ships them.
export * from './consumed-record';
