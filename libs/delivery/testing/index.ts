// Test helpers for code that reads the delivery views; outside src/, so no build ships them.
export * from './presence';
export * from './recording-publisher';
