import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { RouterConfig } from './config';
import { ConsumerGroups } from './consumer-groups';

void runService({
  service: 'router',
  config: RouterConfig,
  rootModule: AppModule.register,
  consumerOptions: (config) => ({ [ConsumerGroups.events]: { partitionsConsumedConcurrently: config.ROUTER_CONCURRENT_PARTITIONS } }),
});
