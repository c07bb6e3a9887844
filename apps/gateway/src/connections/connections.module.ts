import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { DeliveryState } from './delivery-state';

/** The one registry of this process' sockets, shared by the socket edge and delivery. */
@Module({
  providers: [ConnectionRegistry, DeliveryState],
  exports: [ConnectionRegistry, DeliveryState],
})
export class ConnectionsModule {}
