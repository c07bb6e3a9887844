import type { DatabaseRows } from './database';
import type { Device } from './device';
import type { SendLog } from './traffic';
import { sleep } from '@chat/helpers';

/*
 * After traffic: let the outboxes drain, then make every device catch up with what the database
 * holds, as a user reopening the app would (a sync of each of its conversations from its lastSeq).
 * Whatever is still missing after the deadline is for the checker to report.
 */


export async function waitForSendsToSettle(sends: SendLog, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (sends.unsettled().length > 0 && Date.now() < deadline) await sleep(200);
  return sends.unsettled().length;
}

/** Conversations a device is behind in: the database's last_seq against the device's lastSeq, for its user's memberships. */
function behind(device: Device, rows: Pick<DatabaseRows, 'members' | 'conversations'>): Array<{ conversationId: string; afterSeq: number }> {
  const lastSeq = new Map(rows.conversations.map((row) => [row.conversationId, row.lastSeq]));
  return rows.members
    .filter((member) => member.userId === device.userId)
    .map((member) => ({ conversationId: member.conversationId, afterSeq: device.client.conversation(member.conversationId).lastSeq }))
    .filter((cursor) => cursor.afterSeq < (lastSeq.get(cursor.conversationId) ?? 0));
}

/** Syncs every device until it has every conversation up to the database's last_seq; returns the devices still behind. */
export async function catchUpDevices(devices: Device[], readRows: () => Promise<DatabaseRows>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await readRows();
    const lagging = devices.filter((device) => behind(device, rows).length > 0);
    if (lagging.length === 0 || Date.now() > deadline) return lagging.map((device) => device.deviceId);
    await Promise.all(
      lagging.map((device) =>
        device.client.state === 'ready' ? device.client.sync(behind(device, rows)).catch(() => undefined) : Promise.resolve(undefined),
      ),
    );
    await sleep(500);
  }
}
