import { z } from 'zod';
import { defineRecord } from '../envelope';
import { UserIdSchema, UsernameSchema } from '../ids';

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
