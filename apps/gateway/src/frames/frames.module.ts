import { Module } from '@nestjs/common';
import { PublishingModule } from '../publishing/publishing.module';
import { HandleClientFrame } from './handle-client-frame.use-case';
import { ReadQuota } from './read-quota';

@Module({
  imports: [PublishingModule],
  providers: [HandleClientFrame, ReadQuota],
  exports: [HandleClientFrame],
})
export class FramesModule {}
