import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { DeliverFrame } from './deliver-frame.use-case';
import { DeliveryConsumer } from './delivery.consumer';

@Module({
  imports: [ConnectionsModule],
  providers: [DeliverFrame, DeliveryConsumer],
})
export class DeliveryModule {}
