import { Module } from '@nestjs/common';
import { MeModule } from '../me/me.module';
import { DirectoryController } from './directory.controller';

@Module({
  imports: [MeModule],
  controllers: [DirectoryController],
})
export class DirectoryModule {}
