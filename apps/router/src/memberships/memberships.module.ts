import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { ViewsModule } from '../views/views.module';
import { MembershipsConsumer } from './memberships.consumer';

@Module({
  imports: [ViewsModule, DeliveryModule],
  providers: [MembershipsConsumer],
})
export class MembershipsModule {}
