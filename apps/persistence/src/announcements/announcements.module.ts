import { Module } from '@nestjs/common';
import { AnnounceUseCase } from './announce.use-case';
import { AnnouncementsJanitor } from './announcements.janitor';

/** Administrators' announcements: stored by the `announce` command, tombstoned once expired. */
@Module({
  providers: [AnnounceUseCase, AnnouncementsJanitor],
  exports: [AnnounceUseCase],
})
export class AnnouncementsModule {}
