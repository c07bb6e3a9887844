import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/error-body.dto';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { RateLimitedPerIp } from '../rate-limit/ip-rate-limit.guard';
import { RegisterBodySchema, type RegisterBody } from '../users/credentials';
import { RegisterUserUseCase, type RegisteredUser } from './register-user.use-case';
import { RegisteredUserDto, RegisterRequestDto } from './registration.dto';

@ApiTags('auth')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly registerUser: RegisterUserUseCase) {}

  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  @RateLimitedPerIp('registerPerIp')
  @ApiOperation({ summary: 'Create an account', description: 'The new user is announced to the other services on `chat.users`.' })
  @ApiBody({ type: RegisterRequestDto })
  @ApiCreatedResponse({ type: RegisteredUserDto })
  @ApiErrors(400, 409, 413, 429)
  register(@Body(new ZodBodyPipe(RegisterBodySchema)) body: RegisterBody): Promise<RegisteredUser> {
    return this.registerUser.execute(body);
  }
}
