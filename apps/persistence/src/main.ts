import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { PersistenceConfig } from './config';
import { QUERIES_GROUP_ID } from './queries/queries.consumer';
import { runReencryptCommand } from './reencrypt/reencrypt.command';

// `main.js reencrypt [--batch N]` is the operator's re-encryption command (docs/operations.md); anything else runs the service.
if (process.argv[2] === 'reencrypt') {
  void runReencryptCommand(process.argv.slice(3)).then(
    (status) => (process.exitCode = status),
    (error: unknown) => {
      process.stderr.write(`persistence reencrypt: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  void runService({
    service: 'persistence',
    config: PersistenceConfig,
    rootModule: AppModule.register,
    consumerOptions: (config) => ({ [QUERIES_GROUP_ID]: { partitionsConsumedConcurrently: config.QUERY_PARTITIONS_CONCURRENTLY } }),
  });
}
