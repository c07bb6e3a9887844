import { runService } from '@chat/service-kit';
import { createApiDocs } from './api-docs/api-docs';
import { AppModule } from './app.module';
import { authConfigSchema } from './config';

async function main(): Promise<void> {
  const apiDocs = await createApiDocs();
  await runService({ service: 'auth', configSchema: authConfigSchema, rootModule: (config, identity) => AppModule.register(config, identity, apiDocs) });
}

void main();
