import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, UserAdminRequested } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { UserAdminUseCase } from './user-admin.use-case';

export const USER_ADMIN_GROUP_ID = 'auth.user-admin';

/**
 * Operators' commands from `chatctl user …` (chat.user-admin), one record at a time: the offset is
 * committed only after the change and its answer are committed in the database. A record that is not
 * a valid command is a ProtocolError and goes to chat.user-admin.dlq at once; a database outage is
 * retried with backoff (about a minute, MAX_ATTEMPTS) and then dead-lettered too, to be replayed
 * with `chatctl dlq replay chat.user-admin` (the commandId makes that safe).
 */
@Controller()
export class UserAdminConsumer {
  constructor(private readonly userAdmin: UserAdminUseCase) {}

  @KafkaEventPattern(Topics.userAdmin.name, { groupId: USER_ADMIN_GROUP_ID, mode: 'record', maxAttempts: 10, retryBackoff: { initialMs: 500, maxMs: 10_000 } })
  async handle(@Payload() record: ConsumedRecord): Promise<void> {
    await this.userAdmin.execute(UserAdminRequested.decode(record.value));
  }
}
