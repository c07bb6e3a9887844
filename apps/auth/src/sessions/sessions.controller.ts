import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-errors';
import { CurrentUser, type AuthenticatedUser } from '../me/authenticated-user';
import { JwtAuthGuard } from '../me/jwt-auth.guard';
import { clientIp, RateLimitedPerIp } from '../rate-limit/ip-rate-limit.guard';
import { LoginBodySchema, type LoginBody } from '../users/credentials';
import { LoginUseCase } from './login.use-case';
import { LogoutUseCase } from './logout.use-case';
import { RefreshSessionUseCase } from './refresh-session.use-case';
import { RefreshTokenBodySchema, TokenPairSchema, type RefreshTokenBody, type TokenPair } from './sessions.schemas';

@ApiTags('auth')
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly loginUseCase: LoginUseCase,
    private readonly refreshUseCase: RefreshSessionUseCase,
    private readonly logoutUseCase: LogoutUseCase,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @RateLimitedPerIp('loginPerIp')
  @ApiOperation({ summary: 'Log in', description: 'Starts a session: an access token and the first refresh token of a new family.' })
  @ApiOkResponse({ standardSchema: TokenPairSchema })
  @ApiErrors(400, { status: 401, description: '`invalid_credentials` (unknown user and wrong password look the same)' }, { status: 403, description: '`account_disabled` (an operator disabled the account; told only to the right password)' }, 413, 429)
  login(@Body({ schema: LoginBodySchema }) body: LoginBody, @Req() request: Parameters<typeof clientIp>[0]): Promise<TokenPair> {
    return this.loginUseCase.execute(body, clientIp(request));
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @RateLimitedPerIp('refreshPerIp')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description: 'The presented token is retired. Presenting a retired token again revokes the whole session (`refresh_token_reused`).',
  })
  @ApiOkResponse({ standardSchema: TokenPairSchema })
  @ApiErrors(400, { status: 401, description: '`invalid_refresh_token` or `refresh_token_reused`' }, { status: 403, description: '`account_disabled`' }, 413, 429)
  refresh(@Body({ schema: RefreshTokenBodySchema }) body: RefreshTokenBody): Promise<TokenPair> {
    return this.refreshUseCase.execute(body);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RateLimitedPerIp('logoutPerIp')
  @ApiOperation({ summary: 'End the session of a refresh token', description: 'Revokes every refresh token of its family. Idempotent.' })
  @ApiNoContentResponse({ description: 'Session ended; its WebSockets are closed with 4004 and its access tokens refused.' })
  @ApiErrors(400, { status: 401, description: '`invalid_refresh_token` (malformed, or not a token this service issued)' }, 413, 429)
  async logout(@Body({ schema: RefreshTokenBodySchema }) body: RefreshTokenBody): Promise<void> {
    await this.logoutUseCase.execute(body);
  }

  @Post('logout-everywhere')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "End every session of the bearer's user",
    description: 'Revokes the refresh tokens of every session of the user (this one included); their WebSockets are closed with 4004 and their access tokens refused. Idempotent.',
  })
  @ApiNoContentResponse({ description: 'Every session ended.' })
  @ApiErrors({ status: 401, description: '`invalid_access_token` (missing or invalid) or `access_token_expired`' })
  async logoutEverywhere(@CurrentUser() user: AuthenticatedUser): Promise<void> {
    await this.logoutUseCase.everywhere(user.userId);
  }
}
