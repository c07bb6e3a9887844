import { Module } from '@nestjs/common';
import { KafkaRecordPublisher, RECORD_PUBLISHER } from './record-publisher';

@Module({
  providers: [{ provide: RECORD_PUBLISHER, useClass: KafkaRecordPublisher }],
  exports: [RECORD_PUBLISHER],
})
export class PublishingModule {}
