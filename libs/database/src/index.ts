export * from './lib/database.module';
export * from './lib/field-encryption';
export * from './lib/database-tls';
