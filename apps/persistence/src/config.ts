import { baseConfigSchema, configFrom, databaseUrl } from '@chat/service-kit';

export const persistenceConfigSchema = baseConfigSchema.extend({
  /** This service's own database; no other service reads its tables. */
  DATABASE_URL: databaseUrl,
});

/** The persistence's validated configuration; inject it by this class. */
export class PersistenceConfig extends configFrom(persistenceConfigSchema) {}
