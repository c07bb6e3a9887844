import { type DynamicModule, Module } from '@nestjs/common';
import { ViewProgress } from '@chat/kafka';
import { AnnouncementsView } from './announcements-view';
import { MembershipView } from './membership-view';
import { PresenceView } from './presence-view';
import { VIEWS_OPTIONS, ViewsService, type ViewsOptions } from './views.service';

/**
 * The in-memory views of presence and gateway leases (and, when asked, memberships and current
 * announcements), one set per
 * process: imported once by the app, available to all its modules.
 */
@Module({})
export class ViewsModule {
  static forRoot(options: ViewsOptions): DynamicModule {
    return {
      module: ViewsModule,
      global: true,
      providers: [
        { provide: VIEWS_OPTIONS, useValue: options },
        { provide: MembershipView, useFactory: () => new MembershipView() },
        { provide: PresenceView, useFactory: () => new PresenceView() },
        { provide: AnnouncementsView, useFactory: () => new AnnouncementsView() },
        { provide: ViewProgress, useFactory: () => new ViewProgress() },
        ViewsService,
      ],
      exports: [MembershipView, PresenceView, AnnouncementsView, ViewsService],
    };
  }
}
