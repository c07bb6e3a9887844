import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { DeliverAnswers } from './deliver-answers.use-case';
import { DeliverFrame } from './deliver-frame.use-case';
import { DeliveryConsumer } from './delivery.consumer';

@Module({
  imports: [ConnectionsModule],
  providers: [DeliverFrame, DeliverAnswers, DeliveryConsumer],
})
export class DeliveryModule {}
