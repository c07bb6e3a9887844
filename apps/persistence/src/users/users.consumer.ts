import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, UserRegistered } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { UpsertUsersUseCase, type KnownUser } from './upsert-users.use-case';

export const USERS_GROUP_ID = 'persistence.users';

/**
 * Keeps the users table in step with chat.users (compacted: read from the start by a new group, so
 * a fresh database learns every user). Auth never deletes users; a tombstone, should one appear,
 * is skipped rather than dead-lettered, because conversations keep their members anyway.
 */
@Controller()
export class UsersConsumer {
  private readonly logger = new Logger(UsersConsumer.name);

  constructor(private readonly upsertUsers: UpsertUsersUseCase) {}

  @KafkaEventPattern(Topics.users.name, { groupId: USERS_GROUP_ID })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
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
