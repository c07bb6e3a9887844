import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';

/** The one registry of this process' sockets, shared by the socket edge and delivery. */
@Module({
  providers: [ConnectionRegistry],
  exports: [ConnectionRegistry],
})
export class ConnectionsModule {}
