import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-errors';
import { UserSchema, type User } from '../users/credentials';
import { CurrentUser, type AuthenticatedUser } from './authenticated-user';
import { JwtAuthGuard } from './jwt-auth.guard';

@ApiTags('auth')
@Controller('auth')
export class MeController {
  @Get('me')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer access token belongs to' })
  @ApiOkResponse({ standardSchema: UserSchema })
  @ApiErrors({ status: 401, description: '`invalid_access_token` (missing or invalid) or `access_token_expired`' })
  me(@CurrentUser() user: AuthenticatedUser): User {
    return { userId: user.userId, username: user.username };
  }
}
