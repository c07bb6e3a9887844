import { Module } from '@nestjs/common';
import { IpRateLimitGuard } from './ip-rate-limit.guard';
import { KnownAddresses } from './known-addresses';
import { RateLimits } from './rate-limits';

@Module({
  providers: [RateLimits, IpRateLimitGuard, { provide: KnownAddresses, useFactory: () => new KnownAddresses() }],
  exports: [RateLimits, IpRateLimitGuard, KnownAddresses],
})
export class RateLimitModule {}
