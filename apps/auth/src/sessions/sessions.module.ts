import { Module } from '@nestjs/common';
import { MeModule } from '../me/me.module';
import { OutboxModule } from '../outbox/outbox.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { UsersModule } from '../users/users.module';
import { LoginUseCase } from './login.use-case';
import { LogoutUseCase } from './logout.use-case';
import { RefreshSessionUseCase } from './refresh-session.use-case';
import { SessionIssuer } from './session-issuer';
import { SessionsController } from './sessions.controller';
import { SessionsJanitor } from './sessions.janitor';

@Module({
  imports: [UsersModule, RateLimitModule, OutboxModule, MeModule],
  controllers: [SessionsController],
  providers: [SessionIssuer, LoginUseCase, RefreshSessionUseCase, LogoutUseCase, SessionsJanitor],
  exports: [SessionIssuer],
})
export class SessionsModule {}
