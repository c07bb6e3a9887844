import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { ViewsModule } from '../views/views.module';
import { EventsConsumer } from './events.consumer';
import { RouteEventUseCase } from './route-event.use-case';

@Module({
  imports: [ViewsModule, DeliveryModule],
  providers: [RouteEventUseCase, EventsConsumer],
})
export class RoutingModule {}
