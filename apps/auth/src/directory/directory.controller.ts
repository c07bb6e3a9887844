import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiErrors } from '../http/api-errors';
import { JwtAuthGuard } from '../me/jwt-auth.guard';
import { usernameKey } from '../users/credentials';
import { type FoundUsers, FoundUsersSchema, type LookupUsersBody, LookupUsersBodySchema } from './directory.schemas';

/**
 * Who is behind a username or a user id: the other services and the protocol know users by id only,
 * so clients come here to start a direct chat by name and to show senders' names.
 */
@ApiTags('auth')
@Controller('auth')
export class DirectoryController {
  constructor(private readonly dataSource: DataSource) {}

  @Post('users/lookup')
  @HttpCode(HttpStatus.OK)
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Find users by username and/or id',
    description: 'Answers the users that exist among those asked for (unknown names and ids are left out), at most 100 of each per call.',
  })
  @ApiOkResponse({ standardSchema: FoundUsersSchema })
  @ApiErrors(400, { status: 401, description: '`invalid_access_token` (missing or invalid) or `access_token_expired`' })
  async lookup(@Body({ schema: LookupUsersBodySchema }) body: LookupUsersBody): Promise<FoundUsers> {
    if (body.usernames.length === 0 && body.userIds.length === 0) return { users: [] };
    const rows: { id: string; username: string }[] = await this.dataSource.query(
      `select id, username from users where username_key = any($1::text[]) or id = any($2::uuid[]) order by username_key`,
      [body.usernames.map(usernameKey), body.userIds],
    );
    return { users: rows.map((row) => ({ userId: row.id, username: row.username })) };
  }
}
