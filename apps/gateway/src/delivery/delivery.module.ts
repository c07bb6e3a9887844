import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { DeliverFrames } from './deliver-frames.use-case';
import { DeliveryConsumer } from './delivery.consumer';

@Module({
  imports: [ConnectionsModule],
  controllers: [DeliveryConsumer],
  providers: [DeliverFrames],
})
export class DeliveryModule {}
