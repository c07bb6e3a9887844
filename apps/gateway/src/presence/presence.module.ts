import { Module } from '@nestjs/common';
import { PublishingModule } from '../publishing/publishing.module';
import { LeasePublisher } from './lease.publisher';
import { PresencePublisher } from './presence.publisher';

@Module({
  imports: [PublishingModule],
  providers: [LeasePublisher, PresencePublisher],
  exports: [LeasePublisher, PresencePublisher],
})
export class PresenceModule {}
