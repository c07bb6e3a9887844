import { Module } from '@nestjs/common';
import { InstancesModule } from '../instances/instances.module';
import { LagModule } from '../lag/lag.module';
import { SamplesModule } from '../samples/samples.module';
import { ClusterOverviewService } from './cluster-overview.service';
import { OverviewController } from './overview.controller';

@Module({
  imports: [InstancesModule, SamplesModule, LagModule],
  controllers: [OverviewController],
  providers: [ClusterOverviewService],
  exports: [ClusterOverviewService],
})
export class OverviewModule {}
