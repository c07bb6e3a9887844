import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import { SERVICE_CONFIG } from '@chat/service-kit';
import type { AuthConfig } from '../config';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AuthExceptionFilter } from './auth-exception.filter';
import { configureExpress } from './express-setup';

/** What every HTTP request of auth goes through: body limits, trace ids, per-IP limits, error bodies. */
@Module({
  imports: [RateLimitModule],
  providers: [
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    { provide: APP_GUARD, useExisting: IpRateLimitGuard },
    {
      provide: 'EXPRESS_SETUP',
      inject: [HttpAdapterHost, SERVICE_CONFIG],
      useFactory: (adapterHost: HttpAdapterHost<ExpressAdapter>, config: AuthConfig) => {
        configureExpress(adapterHost, { trustProxyHops: config.TRUST_PROXY_HOPS });
        return true;
      },
    },
  ],
})
export class HttpEdgeModule {}
