import { z } from 'zod';
import {
  checkConversationShape,
  ConversationIdSchema,
  ConversationKindSchema,
  MAX_GROUP_MEMBERS,
  TitleSchema,
  UserIdSchema,
} from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * The members of a conversation after a change, on the compacted `chat.memberships` (key =
 * conversationId). The latest record per conversation is its complete current membership, so the
 * router rebuilds its view by reading the topic from the start. `added`/`removed`/`by` describe the
 * change that produced this record (for `member_added`/`member_removed` frames); on a new
 * conversation every member is in `added`.
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
      added: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
      removed: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
      by: UserIdSchema,
    })
    .superRefine((change, ctx) => {
      // A group whose last member left has no members; it keeps its title and kind.
      if (change.kind === 'group' && change.memberIds.length === 0) return;
      checkConversationShape(change, ctx);
    }),
);
