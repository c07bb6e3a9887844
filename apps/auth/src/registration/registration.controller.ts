import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-errors';
import { RateLimitedPerIp } from '../rate-limit/ip-rate-limit.guard';
import { RegisterBodySchema, UserSchema, type RegisterBody, type User } from '../users/credentials';
import { RegisterUserUseCase } from './register-user.use-case';

@ApiTags('auth')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly registerUser: RegisterUserUseCase) {}

  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  @RateLimitedPerIp('registerPerIp')
  @ApiOperation({ summary: 'Create an account', description: 'The new user is announced to the other services on `chat.users`.' })
  @ApiCreatedResponse({ standardSchema: UserSchema })
  @ApiErrors(400, 409, 413, 429)
  register(@Body({ schema: RegisterBodySchema }) body: RegisterBody): Promise<User> {
    return this.registerUser.execute(body);
  }
}
