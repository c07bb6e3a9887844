import { z } from 'zod';
import {
  checkConversationShape,
  ConversationIdSchema,
  ConversationKindSchema,
  GroupChangeSchema,
  MAX_GROUP_MEMBERS,
  TitleSchema,
  UserIdSchema,
} from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * The members of a conversation after a change, on the compacted `chat.memberships` (key =
 * conversationId). The latest record per conversation is its complete current membership (with a
 * group's title and roles), so the router rebuilds its view by reading the topic from the start.
 * `added`/`removed`/`changed`/`by` describe the change that produced this record (for
 * `member_added`/`member_removed`/`group_updated` frames); on a new conversation every member is in
 * `added`. Records written before groups had roles carry no `ownerId`/`adminIds`.
 */
export const MembershipChanged = defineRecord(
  'chat.membership-changed',
  1,
  z
    .strictObject({
      conversationId: ConversationIdSchema,
      kind: ConversationKindSchema,
      title: TitleSchema.optional(),
      memberIds: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
      /** Groups with members: the owner and the other admins after the change. */
      ownerId: UserIdSchema.optional(),
      adminIds: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS).optional(),
      added: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
      removed: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
      /** A rename (`title`) or a change of roles (`roles`); absent or empty for a change of members only. */
      changed: z.array(GroupChangeSchema).max(GroupChangeSchema.options.length).optional(),
      by: UserIdSchema,
    })
    .superRefine((change, ctx) => {
      // A group whose last member left has no members (nor roles); it keeps its title and kind.
      checkConversationShape(change, ctx);
      // A rename or a change of roles is announced with the group's roles: it has members.
      if (change.changed?.length && (change.kind !== 'group' || change.ownerId === undefined || change.adminIds === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'only a group with an owner and admins is renamed or changes roles', path: ['changed'], input: change.changed });
      }
    }),
);
