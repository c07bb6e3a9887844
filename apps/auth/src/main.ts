import { runService } from '@chat/service-kit';
import { mountApiDocs } from './api-docs/api-docs';
import { AppModule } from './app.module';
import { authConfigSchema } from './config';
import { configureHttp } from './http/configure-http';

void runService({
  service: 'auth',
  configSchema: authConfigSchema,
  rootModule: AppModule.register,
  configure: (app, config) => {
    configureHttp(app, { trustProxyHops: config.TRUST_PROXY_HOPS });
    mountApiDocs(app);
  },
});
