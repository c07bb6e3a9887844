import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { EventsConsumer } from './events.consumer';
import { RouteEventUseCase } from './route-event.use-case';

@Module({
  imports: [DeliveryModule],
  controllers: [EventsConsumer],
  providers: [RouteEventUseCase],
})
export class RoutingModule {}
