import { Module } from '@nestjs/common';
import { RevokedSessions } from './revoked-sessions';

/** Which login sessions auth has ended, for the handshake and for closing their sockets. */
@Module({
  providers: [RevokedSessions],
  exports: [RevokedSessions],
})
export class SessionsModule {}
