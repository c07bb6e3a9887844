import { Module } from '@nestjs/common';
import { PublishingModule } from '../publishing/publishing.module';
import { HandleClientFrame } from './handle-client-frame.use-case';

@Module({
  imports: [PublishingModule],
  providers: [HandleClientFrame],
  exports: [HandleClientFrame],
})
export class FramesModule {}
