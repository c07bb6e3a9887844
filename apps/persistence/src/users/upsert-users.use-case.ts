import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserEntity } from '../database/entities/user.entity';
import { classifyDatabaseError } from '../database/database-errors';

export interface KnownUser {
  userId: string;
  username: string;
}

/** Records users announced by auth. The latest announcement of a user wins, as on the compacted topic. */
@Injectable()
export class UpsertUsersUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(users: KnownUser[]): Promise<void> {
    // One row per user: a statement may not update the same row twice.
    const latest = new Map(users.map((user) => [user.userId, user.username]));
    if (latest.size === 0) return;
    const now = new Date();
    try {
      await this.dataSource.manager.upsert(
        UserEntity,
        [...latest].map(([id, username]) => ({ id, username, updatedAt: now })),
        { conflictPaths: ['id'] },
      );
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  }
}
