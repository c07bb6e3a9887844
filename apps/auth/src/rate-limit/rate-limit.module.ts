import { Module } from '@nestjs/common';
import { IpRateLimitGuard } from './ip-rate-limit.guard';
import { RateLimits } from './rate-limits';

@Module({
  providers: [RateLimits, IpRateLimitGuard],
  exports: [RateLimits, IpRateLimitGuard],
})
export class RateLimitModule {}
