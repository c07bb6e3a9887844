import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics, UserRegistered } from '@chat/protocol';
import { KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { UpsertUsersUseCase, type KnownUser } from './upsert-users.use-case';

export const USERS_GROUP_ID = 'persistence.users';

/**
 * Keeps the users table in step with chat.users (compacted: read from the start by a new group, so
 * a fresh database learns every user). Auth never deletes users; a tombstone, should one appear,
 * is skipped rather than dead-lettered, because conversations keep their members anyway.
 */
@Injectable()
export class UsersConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersConsumer.name);

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly upsertUsers: UpsertUsersUseCase,
  ) {}

  onApplicationBootstrap(): void {
    void this.consumers
      .create({ groupId: USERS_GROUP_ID, topics: [Topics.users.name], handleBatch: (records) => this.handleBatch(records) })
      .start();
  }

  private async handleBatch(records: ConsumedRecord[]): Promise<void> {
    const users: KnownUser[] = [];
    for (const record of records) {
      if (record.value === null) {
        this.logger.warn({ msg: 'ignoring a tombstone on chat.users', key: record.key, offset: record.offset, partition: record.partition });
        continue;
      }
      const { payload } = UserRegistered.decode(record.value);
      users.push({ userId: payload.userId, username: payload.username });
    }
    await this.upsertUsers.execute(users);
  }
}
