import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * Auth announces a registered user on `chat.users` (compacted, key = userId), so the other services
 * learn which users exist without asking auth; the latest record per user is their current state.
 */
export const UserRegistered = defineRecord(
  'chat.user-registered',
  1,
  z.strictObject({
    userId: UserIdSchema,
    username: UsernameSchema,
  }),
);
