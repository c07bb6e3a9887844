import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PersistenceConfig } from '../config';
import { CommandRejected } from '../outcomes/command-rejected';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The operator's limits on groups (`quota_exceeded` beyond them): how many groups one user may
 * create in any hour (GROUPS_PER_USER_PER_HOUR, a rolling window over the groups' creation times),
 * and how many members a group may have (GROUP_MAX_MEMBERS, at most the protocol's 1000).
 */
@Injectable()
export class GroupQuotas {
  constructor(private readonly config: PersistenceConfig) {}

  /** Refuses a group of `members` (its owner included) beyond GROUP_MAX_MEMBERS. */
  requireSize(members: number): void {
    const max = this.config.GROUP_MAX_MEMBERS;
    if (members > max) throw new CommandRejected('quota_exceeded', `a group may have at most ${max} members, its owner included; this one would have ${members}`);
  }

  /**
   * Refuses a new group when `userId` created GROUPS_PER_USER_PER_HOUR in the hour before `now`,
   * naming when the next is possible. Holds a lock on the user's quota until the batch commits, so
   * creates of one user in concurrent batches (creates with a clientGroupId are keyed by the group,
   * so they spread over partitions) are counted one after the other.
   */
  async requireRoomToCreate(manager: EntityManager, userId: string, now: Date): Promise<void> {
    const limit = this.config.GROUPS_PER_USER_PER_HOUR;
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`group-quota:${userId}`]);
    const recent = await manager.query<Array<{ created_at: Date }>>(
      `SELECT created_at FROM conversations
        WHERE created_by = $1 AND kind = 'group' AND created_at > $2
        ORDER BY created_at DESC
        LIMIT $3`,
      [userId, new Date(now.getTime() - HOUR_MS), limit],
    );
    if (recent.length < limit) return;
    // The window frees a place when the limit-th newest creation is an hour old.
    const freeAt = new Date(recent[limit - 1].created_at.getTime() + HOUR_MS);
    const minutes = Math.max(1, Math.ceil((freeAt.getTime() - now.getTime()) / 60_000));
    throw new CommandRejected(
      'quota_exceeded',
      `you may create at most ${limit} groups per hour; the next one in ${minutes} min (at ${freeAt.toISOString()})`,
    );
  }
}
