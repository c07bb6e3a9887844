import { DataSource } from 'typeorm';
import { z } from 'zod';
import { checkDataEncryptionConfig, dataEncryptionEnv, dataKeyringFrom } from '@chat/database';
import { CommandLineError, describeError, parseCommandLine } from '@chat/helpers';
import { createRootLogger } from '@chat/logging';
import { baseConfigSchema, ConfigError, databaseUrl, EXIT_INVALID_CONFIG, loadConfig } from '@chat/service-kit';
import { PERSISTENCE_ENTITIES, PERSISTENCE_MIGRATIONS } from '../database/schema';
import { DEFAULT_REENCRYPT_BATCH, reencrypt, UnknownDataKeysError } from './reencrypt';

/** Exit statuses of `main.js reencrypt` (docs/operations.md). */
export const ReencryptExit = {
  done: 0,
  failed: 1,
  usage: 64,
  /** Finished, but rows under other keys remain: something wrote them during the run (an instance with an older DATA_ENCRYPTION_KEY_ID). */
  rowsRemain: 75,
  invalidConfig: EXIT_INVALID_CONFIG,
} as const;

const USAGE = `usage: node dist/apps/persistence/main.js reencrypt [--batch <rows>]

Rewrites every encrypted column (message bodies, announcement bodies, recorded command results) that
is not yet under DATA_ENCRYPTION_KEY_ID, and the plaintext rows from before encryption, in batches
(default ${DEFAULT_REENCRYPT_BATCH} rows per transaction). Safe while persistence runs; run it again after a stop.
Reads DATABASE_URL and DATA_ENCRYPTION_KEYS (or _FILE) / DATA_ENCRYPTION_KEY_ID like the service.`;

/** What the command reads from the environment: the database and the keys, nothing of Kafka or HTTP. */
const reencryptConfigSchema = baseConfigSchema
  .pick({ LOG_LEVEL: true })
  .extend({ DATABASE_URL: databaseUrl, ...dataEncryptionEnv })
  .superRefine(checkDataEncryptionConfig);

/** `main.js reencrypt [--batch N]`: returns the exit status. */
export async function runReencryptCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let batchSize = DEFAULT_REENCRYPT_BATCH;
  try {
    const { values, positionals } = parseCommandLine(args, { batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return ReencryptExit.done;
    }
    if (positionals.length > 0) throw new CommandLineError(`unexpected argument ${positionals[0]}`);
    if (values.batch !== undefined) {
      batchSize = Number(values.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new CommandLineError('--batch must be an integer from 1 to 100000');
    }
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`persistence reencrypt: ${error.message}\n${USAGE}\n`);
    return ReencryptExit.usage;
  }

  let config: z.output<typeof reencryptConfigSchema>;
  try {
    config = loadConfig(reencryptConfigSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`persistence reencrypt: ${error.message}\n`);
    return ReencryptExit.invalidConfig;
  }
  const logger = createRootLogger({ service: 'persistence', instanceId: 'reencrypt', level: config.LOG_LEVEL });
  const keyring = dataKeyringFrom(config);
  const dataSource = new DataSource({ type: 'postgres', url: config.DATABASE_URL, entities: PERSISTENCE_ENTITIES, migrations: PERSISTENCE_MIGRATIONS, extra: { max: 2 } });
  try {
    await dataSource.initialize();
    // The service migrates at start; rewriting a schema it has not reached yet would race it.
    if (await dataSource.showMigrations()) {
      logger.error({ msg: 'the database schema is behind this release: start persistence of this release first (it migrates), then run reencrypt' });
      return ReencryptExit.failed;
    }
    logger.info({ msg: 're-encryption started', currentKeyId: keyring.currentKeyId, keyIds: keyring.keyIds, batchSize });
    const summary = await reencrypt(dataSource, keyring, {
      batchSize,
      onProgress: (progress) => logger.info({ msg: 're-encrypted a batch', ...progress }),
    });
    for (const [field, result] of Object.entries(summary.fields)) logger.info({ msg: 're-encrypted a column', field, ...result });
    if (summary.remaining > 0) {
      logger.warn({
        msg: 'rows under other keys remain: an instance still seals with an older DATA_ENCRYPTION_KEY_ID; run again once every instance uses the current one',
        remaining: summary.remaining,
        currentKeyId: summary.currentKeyId,
      });
      return ReencryptExit.rowsRemain;
    }
    logger.info({ msg: 're-encryption complete: every row is under the current key', currentKeyId: summary.currentKeyId });
    return ReencryptExit.done;
  } catch (error) {
    if (error instanceof UnknownDataKeysError) logger.error({ msg: error.message, unknown: error.unknown });
    else logger.error({ msg: 're-encryption failed; run it again (it resumes)', error: describeError(error) });
    return ReencryptExit.failed;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
