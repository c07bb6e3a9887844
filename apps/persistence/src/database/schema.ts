import { AnnouncementEntity } from './entities/announcement.entity';
import { ConversationEntity } from './entities/conversation.entity';
import { MemberEntity } from './entities/member.entity';
import { MessageEntity } from './entities/message.entity';
import { ProcessedCommandEntity } from './entities/processed-command.entity';
import { UserEntity } from './entities/user.entity';
import { InitialSchema1767225600000 } from './migrations/1767225600000-initial-schema';
import { Announcements1796515200000 } from './migrations/1796515200000-announcements';
import { GroupRoles1796601600000 } from './migrations/1796601600000-group-roles';
import { EncryptedContent1796702400000 } from './migrations/1796702400000-encrypted-content';
import { EncryptedTitles1796709600000 } from './migrations/1796709600000-encrypted-titles';

/** Everything TypeORM needs to know about this service's database; migrations run in this order at start. */
export const PERSISTENCE_ENTITIES = [UserEntity, ConversationEntity, MemberEntity, MessageEntity, ProcessedCommandEntity, AnnouncementEntity];
export const PERSISTENCE_MIGRATIONS = [InitialSchema1767225600000, Announcements1796515200000, GroupRoles1796601600000, EncryptedContent1796702400000, EncryptedTitles1796709600000];
