import type { Admin } from 'kafkajs';
import { ChatCommands, deadLetterTopicOf, Topics } from '@chat/protocol';
import type { SendKey } from './records';

/*
 * The sends persistence gave up on: the send-message commands in chat.commands.dlq. An accepted send
 * among them would be a message the sender was told is safe and that nobody stores; the checker
 * counts them and the run fails on any.
 */

/** Every send-message command in the dead-letter topic of chat.commands (none when it does not exist). */
export async function readDeadLetteredSends(admin: Admin, consume: (topic: string, count: number) => Promise<Array<Buffer | null>>): Promise<{ sends: SendKey[]; undecodable: number }> {
  const topic = deadLetterTopicOf(Topics.commands.name).name;
  if (!(await admin.listTopics()).includes(topic)) return { sends: [], undecodable: 0 };
  const offsets = await admin.fetchTopicOffsets(topic);
  const count = offsets.reduce((sum, offset) => sum + Number(offset.high) - Number(offset.low), 0);
  if (count === 0) return { sends: [], undecodable: 0 };
  const sends: SendKey[] = [];
  let undecodable = 0;
  for (const value of await consume(topic, count)) {
    try {
      const command = ChatCommands.decode(value);
      if (command.type === 'chat.command.send-message') {
        sends.push({ conversationId: command.payload.conversationId, senderId: command.payload.senderId, clientMsgId: command.payload.clientMsgId });
      }
    } catch {
      // Not a valid command (that is why some records are dead-lettered): it cannot be an accepted send.
      undecodable += 1;
    }
  }
  return { sends, undecodable };
}
