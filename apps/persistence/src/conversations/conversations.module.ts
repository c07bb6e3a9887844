import { Module } from '@nestjs/common';
import { AddMembersUseCase } from './add-members.use-case';
import { CreateGroupUseCase } from './create-group.use-case';
import { GroupQuotas } from './group-quotas';
import { ListConversationsUseCase } from './list-conversations.use-case';
import { OpenDirectUseCase } from './open-direct.use-case';
import { RemoveMemberUseCase } from './remove-member.use-case';
import { RenameGroupUseCase } from './rename-group.use-case';
import { SetMemberRoleUseCase } from './set-member-role.use-case';
import { TransferOwnershipUseCase } from './transfer-ownership.use-case';

const USE_CASES = [
  OpenDirectUseCase,
  CreateGroupUseCase,
  AddMembersUseCase,
  RemoveMemberUseCase,
  RenameGroupUseCase,
  SetMemberRoleUseCase,
  TransferOwnershipUseCase,
  ListConversationsUseCase,
];

/** Use cases about conversations and their members; each runs inside the transaction of its command batch. */
@Module({ providers: [...USE_CASES, GroupQuotas], exports: USE_CASES })
export class ConversationsModule {}
