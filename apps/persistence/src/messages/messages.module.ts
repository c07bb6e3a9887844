import { Module } from '@nestjs/common';
import { HistoryUseCase } from './history.use-case';
import { ReceiptUseCase } from './receipt.use-case';
import { SendMessageUseCase } from './send-message.use-case';
import { SyncUseCase } from './sync.use-case';

/** Use cases about messages and receipts; each runs inside the transaction of its command batch. */
@Module({
  providers: [SendMessageUseCase, ReceiptUseCase, SyncUseCase, HistoryUseCase],
  exports: [SendMessageUseCase, ReceiptUseCase, SyncUseCase, HistoryUseCase],
})
export class MessagesModule {}
