import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AuthExceptionFilter } from './auth-exception.filter';
import { BodySchemaPipe } from './body-schema.pipe';

/**
 * What every HTTP request of auth goes through: per-IP limits, body validation against the route's
 * schema, and error bodies (body limits and trace ids are Express settings: configureHttp).
 */
@Module({
  imports: [RateLimitModule],
  providers: [
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    { provide: APP_GUARD, useExisting: IpRateLimitGuard },
    { provide: APP_PIPE, useClass: BodySchemaPipe },
  ],
})
export class HttpEdgeModule {}
