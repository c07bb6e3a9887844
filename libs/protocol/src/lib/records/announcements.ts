import { z } from 'zod';
import { AnnouncementSchema } from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * An announcement persistence stored, on the compacted `chat.announcements` (key = announcementId).
 * The router broadcasts each new one to every live gateway, and keeps the current ones (not yet
 * expired) in a view for sockets that connect later. Persistence tombstones an announcement once it
 * expired, so compaction keeps only the current ones.
 */
export const AnnouncementPublished = defineRecord(
  'chat.announcement-published',
  1,
  z.strictObject({
    announcement: AnnouncementSchema,
  }),
);
