import { runService } from '@chat/service-kit';
import { mountApiDocs } from './api-docs/api-docs';
import { AppModule } from './app.module';
import { AuthConfig } from './config';
import { configureHttp } from './http/configure-http';

void runService({
  service: 'auth',
  config: AuthConfig,
  rootModule: AppModule.register,
  configure: (app, config) => {
    configureHttp(app, { trustProxyHops: config.TRUST_PROXY_HOPS });
    mountApiDocs(app);
  },
});
