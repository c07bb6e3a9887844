import { ApiProperty } from '@nestjs/swagger';
import { USERNAME_PATTERN } from '@chat/protocol';
import { PASSWORD_MAX_CHARS } from '../users/credentials';

export class LoginRequestDto {
  @ApiProperty({ pattern: USERNAME_PATTERN.source, example: 'ann.lee', description: 'Case-insensitive.' })
  username!: string;

  @ApiProperty({ minLength: 1, maxLength: PASSWORD_MAX_CHARS, format: 'password' })
  password!: string;
}

export class RefreshTokenRequestDto {
  @ApiProperty({ description: 'A refresh token from login or refresh: `<tokenId>.<secret>`.', maxLength: 200 })
  refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'HS256 JWT for the gateway and `GET /auth/me` (`Authorization: Bearer …`).' })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque; single use: each refresh returns a new one and retires the old.' })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds the access token is valid for.', example: 900 })
  expiresIn!: number;

  @ApiProperty({ format: 'uuid' })
  userId!: string;
}
