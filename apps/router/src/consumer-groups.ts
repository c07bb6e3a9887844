/**
 * The router's consumer groups. The shared ones split partitions between router instances, so
 * each record is handled by one instance; the views group is unique to one process run.
 */
export const ConsumerGroups = {
  /** `chat.events` → deliveries. */
  events: 'router',
  /** `chat.typing` → typing frames to the other members. */
  typing: 'router.typing',
  /** `chat.presence` → presence frames to contacts (see presence.consumer.ts for the rule). */
  presence: 'router.presence',
  /** `chat.memberships` → member_added / member_removed frames. */
  memberships: 'router.memberships',
  /** `chat.announcements` → `announcement` frames to every socket of every gateway. */
  announcements: 'router.announcements',
  /** The replay of the compacted topics into this process's views; never commits. */
  views: (instanceId: string, startedAt: number) => `router.views.${instanceId}.${startedAt}`,
} as const;
