import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { ViewsModule } from '../views/views.module';
import { PresenceAnnouncer } from './presence-announcer';
import { PresenceConsumer } from './presence.consumer';

@Module({
  imports: [ViewsModule, DeliveryModule],
  providers: [PresenceAnnouncer, PresenceConsumer],
})
export class PresenceModule {}
