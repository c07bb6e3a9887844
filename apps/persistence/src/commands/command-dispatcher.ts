import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChatCommandEnvelope } from '@chat/protocol';
import { AnnounceUseCase } from '../announcements/announce.use-case';
import { AddMembersUseCase } from '../conversations/add-members.use-case';
import { CreateGroupUseCase } from '../conversations/create-group.use-case';
import { ListConversationsUseCase } from '../conversations/list-conversations.use-case';
import { OpenDirectUseCase } from '../conversations/open-direct.use-case';
import { RemoveMemberUseCase } from '../conversations/remove-member.use-case';
import { RenameGroupUseCase } from '../conversations/rename-group.use-case';
import { SetMemberRoleUseCase } from '../conversations/set-member-role.use-case';
import { TransferOwnershipUseCase } from '../conversations/transfer-ownership.use-case';
import { HistoryUseCase } from '../messages/history.use-case';
import { ReceiptUseCase } from '../messages/receipt.use-case';
import { type SendMessage, type SendOutcome, SendMessageUseCase } from '../messages/send-message.use-case';
import { SyncUseCase } from '../messages/sync.use-case';
import type { Effect } from '../outcomes/effects';

/** Routes each command type to its use case; the switch is exhaustive, so a new command type does not compile until handled. */
@Injectable()
export class CommandDispatcher {
  constructor(
    private readonly sendMessage: SendMessageUseCase,
    private readonly receipt: ReceiptUseCase,
    private readonly openDirect: OpenDirectUseCase,
    private readonly createGroup: CreateGroupUseCase,
    private readonly addMembers: AddMembersUseCase,
    private readonly removeMember: RemoveMemberUseCase,
    private readonly renameGroup: RenameGroupUseCase,
    private readonly setMemberRole: SetMemberRoleUseCase,
    private readonly transferOwnership: TransferOwnershipUseCase,
    private readonly sync: SyncUseCase,
    private readonly history: HistoryUseCase,
    private readonly listConversations: ListConversationsUseCase,
    private readonly announce: AnnounceUseCase,
  ) {}

  /** Consecutive sends of a batch, stored together; one outcome per command, in order. */
  sendMessages(commands: readonly SendMessage[], manager: EntityManager): Promise<SendOutcome[]> {
    return this.sendMessage.executeMany(commands, manager);
  }

  execute(command: ChatCommandEnvelope, manager: EntityManager): Promise<Effect[]> {
    switch (command.type) {
      case 'chat.command.send-message':
        return this.sendMessage.execute(command, manager);
      case 'chat.command.receipt':
        return this.receipt.execute(command, manager);
      case 'chat.command.open-direct':
        return this.openDirect.execute(command, manager);
      case 'chat.command.create-group':
        return this.createGroup.execute(command, manager);
      case 'chat.command.add-members':
        return this.addMembers.execute(command, manager);
      case 'chat.command.remove-member':
        return this.removeMember.execute(command, manager);
      case 'chat.command.rename-group':
        return this.renameGroup.execute(command, manager);
      case 'chat.command.set-member-role':
        return this.setMemberRole.execute(command, manager);
      case 'chat.command.transfer-ownership':
        return this.transferOwnership.execute(command, manager);
      case 'chat.command.sync-request':
        return this.sync.execute(command, manager);
      case 'chat.command.history-request':
        return this.history.execute(command, manager);
      case 'chat.command.list-conversations-request':
        return this.listConversations.execute(command, manager);
      case 'chat.command.announce':
        return this.announce.execute(command, manager);
    }
  }
}
