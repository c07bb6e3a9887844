import { OutboxMessageEntity } from '../outbox/outbox-message.entity';
import { RefreshTokenEntity } from '../sessions/refresh-token.entity';
import { UserAdminCommandEntity } from '../user-admin/user-admin-command.entity';
import { UserEntity } from '../users/user.entity';
import { CreateAuthTables1767225600000 } from './migrations/1767225600000-create-auth-tables';
import { UserAdmin1798761600000 } from './migrations/1798761600000-user-admin';

/** Everything TypeORM needs to know about the chat_auth database. */
export const AUTH_ENTITIES = [UserEntity, RefreshTokenEntity, OutboxMessageEntity, UserAdminCommandEntity];
export const AUTH_MIGRATIONS = [CreateAuthTables1767225600000, UserAdmin1798761600000];
