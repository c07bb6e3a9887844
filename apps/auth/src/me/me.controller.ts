import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/error-body.dto';
import { CurrentUser, type AuthenticatedUser } from './authenticated-user';
import { JwtAuthGuard } from './jwt-auth.guard';
import { MeDto } from './me.dto';

@ApiTags('auth')
@Controller('auth')
export class MeController {
  @Get('me')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Who the bearer access token belongs to' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors({ status: 401, description: '`invalid_access_token` (missing or invalid) or `access_token_expired`' })
  me(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return { userId: user.userId, username: user.username };
  }
}
