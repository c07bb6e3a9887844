import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/protocol';
import { UserSchema } from '../users/credentials';

/** Names or ids per lookup: a page of a conversation list's senders, a DM by username. */
export const MAX_LOOKUP_USERS = 100;

export const LookupUsersBodySchema = z
  .strictObject({
    usernames: z
      .array(UsernameSchema)
      .max(MAX_LOOKUP_USERS, `at most ${MAX_LOOKUP_USERS} usernames`)
      .default([])
      .meta({ description: 'Case-insensitive, as at login.', examples: [['ann.lee']] }),
    userIds: z.array(UserIdSchema).max(MAX_LOOKUP_USERS, `at most ${MAX_LOOKUP_USERS} user ids`).default([]),
  })
  .meta({ id: 'LookupUsersBody' });
export type LookupUsersBody = z.output<typeof LookupUsersBodySchema>;

export const FoundUsersSchema = z.strictObject({ users: z.array(UserSchema) }).meta({ id: 'FoundUsers' });
export type FoundUsers = z.output<typeof FoundUsersSchema>;
