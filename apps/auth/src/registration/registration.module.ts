import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { UsersModule } from '../users/users.module';
import { RegisterUserUseCase } from './register-user.use-case';
import { RegistrationController } from './registration.controller';

@Module({
  imports: [UsersModule, OutboxModule],
  controllers: [RegistrationController],
  providers: [RegisterUserUseCase],
})
export class RegistrationModule {}
