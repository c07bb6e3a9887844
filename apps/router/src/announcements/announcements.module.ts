import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { AnnouncementsConsumer } from './announcements.consumer';

/** chat.announcements → every live gateway's delivery topic, addressed to every socket. */
@Module({
  imports: [DeliveryModule],
  controllers: [AnnouncementsConsumer],
})
export class AnnouncementsModule {}
