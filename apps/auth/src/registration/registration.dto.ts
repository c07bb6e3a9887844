import { ApiProperty } from '@nestjs/swagger';
import { USERNAME_PATTERN } from '@chat/protocol';
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../users/credentials';

/** OpenAPI description of the body; validation is RegisterBodySchema's. */
export class RegisterRequestDto {
  @ApiProperty({ pattern: USERNAME_PATTERN.source, minLength: 3, maxLength: 32, example: 'ann.lee', description: 'Unique case-insensitively; shown as typed.' })
  username!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_CHARS, maxLength: PASSWORD_MAX_CHARS, format: 'password', example: 'correct horse battery' })
  password!: string;
}

export class RegisteredUserDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ example: 'ann.lee' })
  username!: string;
}
