import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AuthExceptionFilter } from './auth-exception.filter';

/**
 * What every HTTP request of auth goes through: per-IP limits and error bodies (body limits and
 * trace ids are Express settings: configureHttp).
 */
@Module({
  imports: [RateLimitModule],
  providers: [
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    { provide: APP_GUARD, useExisting: IpRateLimitGuard },
  ],
})
export class HttpEdgeModule {}
