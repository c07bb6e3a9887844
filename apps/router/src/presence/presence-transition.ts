import type { PresenceView } from '@chat/delivery';

/** A presence frame's content: the user came online or went offline, at the gateway's time of it. */
export interface PresenceAnnouncement {
  userId: string;
  online: boolean;
  at: number;
}

export interface PresenceRecordRef {
  gatewayId: string;
  userId: string;
  /** Offset of the record in its `chat.presence` partition. */
  offset: string;
}

/**
 * Whether a `chat.presence` record is the one that took its user online or offline, judged against
 * a view that has applied it (and everything the topics held when the decision started).
 *
 * A user's keys are one per gateway and land on different partitions, so two router instances may
 * judge two records of one user at the same moment, each with a view that may or may not hold the
 * other record yet. The rule is made so that such a race can only announce twice, never not at all
 * (and one instance judging both records announces once: it remembers what it announced, see
 * PresenceConsumer):
 * - online: the record took its key from 0 up (it is still the key's last up-flip), the key counts
 *   (its gateway's lease is live), and no other counted key of the user came up earlier (by the
 *   gateways' `at`, then gateway id). Of two concurrent first connections, the earlier one
 *   announces whatever the other instance sees; the later one announces too only if its view did
 *   not hold the earlier one yet.
 * - offline: the record took its key to 0 (still its last down-flip), the key counted until then
 *   (a key of a gateway already dead was dropped when its lease ended, and announced then), and the
 *   user has no counted key left. Of two concurrent last disconnections, whichever is judged later
 *   sees both. A gateway shutting down cleanly tombstones its keys, then its lease: whichever of the
 *   two the view applies first announces, the other finds nothing left to announce.
 * A record superseded by a later flip of its key is not announced: the later record decides, so a
 * short connect/disconnect blip may go unannounced, but the last announcement matches the state.
 */
export function presenceTransition(view: PresenceView, record: PresenceRecordRef): PresenceAnnouncement | null {
  const entry = view.entry(record.gatewayId, record.userId);
  if (!entry) return null;
  const { up, down } = entry;
  if (up?.offset === record.offset) {
    if (!view.isLiveEntry(entry)) return null;
    const earlier = view
      .liveEntriesOf(record.userId)
      .some((other) => other !== entry && other.up !== undefined && (other.up.at < up.at || (other.up.at === up.at && other.gatewayId < entry.gatewayId)));
    return earlier ? null : { userId: record.userId, online: true, at: up.at };
  }
  if (down?.offset === record.offset) {
    if (!down.counted || view.isOnline(record.userId)) return null;
    return { userId: record.userId, online: false, at: down.at };
  }
  return null;
}
