import { Module } from '@nestjs/common';
import { UpsertUsersUseCase } from './upsert-users.use-case';
import { UsersConsumer } from './users.consumer';

/** chat.users → the users table (which users exist, for open_direct, create_group and add_members). */
@Module({ controllers: [UsersConsumer], providers: [UpsertUsersUseCase] })
export class UsersModule {}
