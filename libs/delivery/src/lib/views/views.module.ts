import { Module } from '@nestjs/common';
import { MembershipView } from './membership-view';
import { PresenceView } from './presence-view';
import { ViewProgress } from './view-progress';
import { ViewsService } from './views.service';

/** The in-memory views of memberships, presence and gateway leases, one set per process. */
@Module({
  providers: [
    { provide: MembershipView, useFactory: () => new MembershipView() },
    { provide: PresenceView, useFactory: () => new PresenceView() },
    { provide: ViewProgress, useFactory: () => new ViewProgress() },
    ViewsService,
  ],
  exports: [MembershipView, PresenceView, ViewsService],
})
export class ViewsModule {}
