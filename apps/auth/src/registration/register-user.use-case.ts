import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { currentTraceId } from '@chat/logging';
import { Topics, UserRegistered } from '@chat/protocol';
import { AuthError } from '../errors/auth-error';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { AuthMetrics } from '../telemetry/auth.metrics';
import { usernameKey, type RegisterBody, type User } from '../users/credentials';
import { PasswordHasher } from '../users/password-hasher';
import { UserEntity } from '../users/user.entity';


/** How long a registration waits for its announcement to reach Kafka before answering anyway. */
const ANNOUNCE_WAIT_MS = 2000;

/**
 * Creates an account and announces it on `chat.users`. The user row and the announcement are
 * committed in one transaction (outbox), so a user can never exist without being announced.
 */
@Injectable()
export class RegisterUserUseCase {
  private readonly logger = new Logger(RegisterUserUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly outbox: OutboxPublisher,
  ) {}

  async execute(command: RegisterBody): Promise<User> {
    const key = usernameKey(command.username);
    // Cheap early answer that spares the hashing; the unique constraint below settles races.
    if (await this.usernameExists(key)) throw usernameTaken();
    const passwordHash = await this.hasher.hash(command.password);
    const userId = randomUUID();

    const created = await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `insert into users (id, username, username_key, password_hash) values ($1, $2, $3, $4)
         on conflict (username_key) do nothing returning id`,
        [userId, command.username, key, passwordHash],
      );
      if (inserted.length === 0) return false;
      const envelope = UserRegistered.create({ userId, username: command.username }, { traceId: currentTraceId() });
      await this.outbox.enqueue(manager, { topic: Topics.users.name, key: userId, envelope });
      return true;
    });
    if (!created) throw usernameTaken();
    AuthMetrics.registrations.inc({ outcome: 'created' });
    this.logger.log({ msg: 'user registered', userId, username: command.username });

    // Usually the record is in Kafka before we answer, so other services know the user as soon as the
    // client does; if Kafka is slow or away, the outbox timer delivers it later.
    const announced = await this.outbox.publishWithin(ANNOUNCE_WAIT_MS);
    if (!announced) this.logger.warn({ msg: 'user registered but not yet announced; the outbox will retry', userId });
    return { userId, username: command.username };
  }

  private usernameExists(key: string): Promise<boolean> {
    return this.dataSource.getRepository(UserEntity).existsBy({ usernameKey: key });
  }
}

/** The refusal of a taken username (counted as that registration outcome). */
function usernameTaken(): AuthError {
  AuthMetrics.registrations.inc({ outcome: 'username_taken' });
  return new AuthError('username_taken', 'this username is already taken');
}
