import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { MembershipsConsumer } from './memberships.consumer';

@Module({
  imports: [DeliveryModule],
  controllers: [MembershipsConsumer],
})
export class MembershipsModule {}
