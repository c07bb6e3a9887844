import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { PresenceAnnouncer } from './presence-announcer';
import { PresenceConsumer } from './presence.consumer';
import { SessionGreeter } from './session-greeter';

@Module({
  imports: [DeliveryModule],
  controllers: [PresenceConsumer],
  providers: [PresenceAnnouncer, SessionGreeter],
})
export class PresenceModule {}
