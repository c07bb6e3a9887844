import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { PresenceAnnouncer } from './presence-announcer';
import { PresenceConsumer } from './presence.consumer';

@Module({
  imports: [DeliveryModule],
  controllers: [PresenceConsumer],
  providers: [PresenceAnnouncer],
})
export class PresenceModule {}
