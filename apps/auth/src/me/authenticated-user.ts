import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Who a verified access token names; what JwtStrategy puts on the request. */
export interface AuthenticatedUser {
  userId: string;
  username: string;
}

/** The user of a route guarded by JwtAuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  return context.switchToHttp().getRequest<{ user: AuthenticatedUser }>().user;
});
