import { randomUUID } from 'node:crypto';
import { AnnounceCommand, chatCommandKey, deliveryTopicFor, GatewayDeliveries, OPERATOR_USER_ID, Topics, type Announcement } from '@chat/protocol';
import type { Report } from '../cli/output';
import { CommandFailed, type Cluster } from '../kafka/cluster';

/**
 * The gateway id chatctl gives as its return address: persistence answers an announce on
 * `chat.delivery.<gatewayId>` (it creates the topic if needed), where chatctl waits for the answer.
 * No gateway may use this id (docs/operations.md).
 */
export const CHATCTL_GATEWAY_ID = 'chatctl';

/** What announce writes to and reads from, created on connect when missing (as persistence would create the answer topic). */
export const ANNOUNCE_TOPICS = [Topics.commands, deliveryTopicFor(CHATCTL_GATEWAY_ID)];

/**
 * `announce`: the same `chat.command.announce` an administrator's `announce` frame becomes at the
 * gateway, with the operators' sender id (OPERATOR_USER_ID): persistence stores it (within the
 * hourly limit, which all operators share), publishes it on chat.announcements, the router
 * broadcasts it to every gateway, and persistence answers chatctl as it answers a socket.
 */
export async function announce(cluster: Cluster, options: { text: string; expiresInSeconds: number; timeoutMs: number }): Promise<Report> {
  const answerTopic = deliveryTopicFor(CHATCTL_GATEWAY_ID);
  const connectionId = randomUUID();
  const requestId = `chatctl-${randomUUID()}`;
  // The topic was provisioned on connect (announceTopics); its current end is where the answer will come after.
  const start = await cluster.ends([answerTopic.name]);
  const command = AnnounceCommand.create({
    senderId: OPERATOR_USER_ID,
    body: options.text,
    expiresInSeconds: options.expiresInSeconds,
    clientAnnouncementId: randomUUID(),
    replyTo: { gatewayId: CHATCTL_GATEWAY_ID, connectionId, requestId },
  });
  await cluster.send(Topics.commands.name, [{ key: chatCommandKey(command), envelope: command }]);
  const frame = await cluster.waitFor(
    answerTopic.name,
    start,
    (record) => {
      if (record.key !== connectionId || record.value === null) return undefined;
      const delivery = GatewayDeliveries.decode(record.value);
      return delivery.payload.frames.find((candidate) => 'replyTo' in candidate && candidate.replyTo === requestId);
    },
    options.timeoutMs,
    'answer from persistence to the announcement (are persistence and the router running?)',
  );
  if (frame.type === 'error') throw new CommandFailed(`announcement refused: ${frame.code}: ${frame.message}`);
  if (frame.type !== 'announcement') throw new CommandFailed(`unexpected answer to the announcement: ${frame.type}`);
  const stored: Announcement = { announcementId: frame.announcementId, senderId: frame.senderId, body: frame.body, sentAt: frame.sentAt, expiresAt: frame.expiresAt };
  return {
    ok: true,
    text: `announcement ${stored.announcementId} sent to everyone, current until ${new Date(stored.expiresAt).toISOString()}`,
    json: stored,
  };
}
