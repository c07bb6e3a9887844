import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../connections/connections.module';
import { FramesModule } from '../frames/frames.module';
import { PresenceModule } from '../presence/presence.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SocketGateway } from './socket.gateway';

@Module({
  imports: [ConnectionsModule, PresenceModule, FramesModule, SessionsModule],
  providers: [SocketGateway],
})
export class SocketModule {}
