import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UserAdminConsumer } from './user-admin.consumer';
import { UserAdminUseCase } from './user-admin.use-case';

/** Operators' commands about accounts, consumed from chat.user-admin (see UserAdminConsumer). */
@Module({
  imports: [OutboxModule, SessionsModule],
  controllers: [UserAdminConsumer],
  providers: [UserAdminUseCase],
})
export class UserAdminModule {}
