import { MAX_GROUP_MEMBERS, Topics } from '@chat/protocol';
import { checkDatabaseTlsConfig, checkDataEncryptionConfig, databaseTlsEnv, dataEncryptionEnv } from '@chat/database';
import { baseConfigSchema, configFrom, databaseUrl, envInt } from '@chat/service-kit';

/** Default of QUERY_PARTITIONS_CONCURRENTLY. */
export const DEFAULT_QUERY_PARTITIONS_CONCURRENTLY = 4;

export const persistenceConfigSchema = baseConfigSchema.extend({
  /** This service's own database; no other service reads its tables. */
  DATABASE_URL: databaseUrl,
  /** TLS to PostgreSQL: libpq's sslmode words and the server's CA (docs/deploy.md, "PostgreSQL over TLS"). */
  ...databaseTlsEnv,
  /** Announcements one administrator may send in any hour; one more is refused with `quota_exceeded`. */
  ANNOUNCEMENTS_PER_ADMIN_PER_HOUR: envInt({ min: 1, max: 10_000, default: 20 }),
  /** Groups one user may create in any hour (a rolling window); one more is refused with `quota_exceeded`. */
  GROUPS_PER_USER_PER_HOUR: envInt({ min: 1, max: 100_000, default: 20 }),
  /** Members a group may have, its owner included; at most the protocol's MAX_GROUP_MEMBERS. Beyond, `quota_exceeded`. */
  GROUP_MAX_MEMBERS: envInt({ min: 2, max: MAX_GROUP_MEMBERS, default: MAX_GROUP_MEMBERS }),
  /**
   * Partitions of chat.queries this instance answers at the same time, one read each: the most
   * database connections reads hold at once (of DatabaseModule's pool of 10), so writes keep the rest.
   */
  QUERY_PARTITIONS_CONCURRENTLY: envInt({ min: 1, max: Topics.queries.partitions, default: DEFAULT_QUERY_PARTITIONS_CONCURRENTLY }),
  /** Data keys for message bodies and other content at rest (docs/operations.md, "Data encryption keys"). */
  ...dataEncryptionEnv,
})
  .superRefine(checkDataEncryptionConfig)
  .superRefine(checkDatabaseTlsConfig);

/** The persistence's validated configuration; inject it by this class. */
export class PersistenceConfig extends configFrom(persistenceConfigSchema) {}
