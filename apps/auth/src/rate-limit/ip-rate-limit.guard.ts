import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RateLimits, type RateLimitPolicy } from './rate-limits';

/** Marks a route as limited per client IP under a policy; enforced by IpRateLimitGuard. */
export const RateLimitedPerIp = Reflector.createDecorator<RateLimitPolicy>();

/**
 * Counts every request to a marked route against its client IP, before the body is validated, so
 * malformed floods are limited too. The IP is Express's `req.ip`: the socket's peer, or the client
 * named by X-Forwarded-For when TRUST_PROXY_HOPS says how many proxies to trust.
 */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: RateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = this.reflector.get(RateLimitedPerIp, context.getHandler());
    if (!policy) return true;
    this.limits.consume(policy, clientIp(context.switchToHttp().getRequest<ClientRequest>()));
    return true;
  }
}

/** The parts of Express's request the client address comes from. */
interface ClientRequest {
  ip?: string;
  socket: { remoteAddress?: string };
}

export function clientIp(request: ClientRequest): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
