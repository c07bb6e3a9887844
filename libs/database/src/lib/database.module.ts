import type { TlsOptions } from 'node:tls';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import { withTimeout } from '@chat/helpers';
import { ReadinessRegistry } from '@chat/service-kit';
import { connectPostgres, DatabaseTlsRefusedError, postgresConnection, type DatabaseTlsEnv } from './database-tls';

export interface DatabaseOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own signature
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own signature
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** DATABASE_SSL_MODE / DATABASE_SSL_CA_FILE (default: process.env); see database-tls.ts. */
  tlsEnv?: DatabaseTlsEnv;
}

const READINESS_TIMEOUT_MS = 2000;

/**
 * The service's own PostgreSQL database through TypeORM: migrations run at start (never
 * `synchronize`), and `/readyz` includes a `select 1` round trip. Only the services that own tables
 * (auth, persistence) import it; lint keeps it out of the others.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    // Checked here, at start: a bad sslmode or an unreadable CA stops the service with the variable's name,
    // and so does a server certificate that fails verify-ca/verify-full (connectPostgres, not retried).
    const connection = postgresConnection(options.url, options.tlsEnv ?? process.env);
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            url: connection.url,
            // TypeORM types it as server TlsOptions; node-postgres hands it to tls.connect, whose options these are.
            ssl: connection.ssl as boolean | TlsOptions,
            entities: options.entities,
            migrations: options.migrations,
            migrationsRun: true,
            synchronize: false,
            extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
            retryAttempts: 30,
            retryDelay: 2000,
            // A certificate this client refuses stays refused: stop at once, naming what to fix.
            toRetry: (error: unknown) => !(error instanceof DatabaseTlsRefusedError),
          }),
          // The server's certificate failing verify-ca/verify-full is explained (DATABASE_SSL_CA_FILE, DATABASE_SSL_MODE); other errors pass as they are.
          dataSourceFactory: async (dataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('DatabaseModule: TypeORM gave no data source options');
            return connectPostgres(new DataSource(dataSourceOptions), connection);
          },
        }),
      ],
      providers: [
        {
          provide: 'DATABASE_READINESS',
          inject: [DataSource, ReadinessRegistry],
          useFactory: (dataSource: DataSource, readiness: ReadinessRegistry) => {
            readiness.register('database', async () => {
              await withTimeout(dataSource.query('select 1'), READINESS_TIMEOUT_MS, 'select 1 timed out');
              return { ok: true };
            });
            return true;
          },
        },
      ],
    };
  }
}
