import { Module } from '@nestjs/common';
import { AddMembersUseCase } from './add-members.use-case';
import { CreateGroupUseCase } from './create-group.use-case';
import { ListConversationsUseCase } from './list-conversations.use-case';
import { OpenDirectUseCase } from './open-direct.use-case';
import { RemoveMemberUseCase } from './remove-member.use-case';

const USE_CASES = [OpenDirectUseCase, CreateGroupUseCase, AddMembersUseCase, RemoveMemberUseCase, ListConversationsUseCase];

/** Use cases about conversations and their members; each runs inside the transaction of its command batch. */
@Module({ providers: USE_CASES, exports: USE_CASES })
export class ConversationsModule {}
