import { randomBytes } from 'node:crypto';
import { AuthClient, AuthSession } from '@chat/client-sdk';
import type { SeededRandom } from '@chat/testing';
import type { Cluster } from './cluster';
import { Device } from './device';

/*
 * Who takes part: users registered through auth, their devices connected through the SDK (spread
 * over both gateways, every fourth user with two), direct conversations and groups, and a probe
 * pair across the two gateways whose messages tell when the system serves end to end again.
 */

export interface HarnessUser {
  username: string;
  userId: string;
  devices: Device[];
}

export interface HarnessConversation {
  conversationId: string;
  kind: 'direct' | 'group';
  members: HarnessUser[];
}

export interface Probe {
  conversationId: string;
  /** On gateway 0. */
  from: Device;
  /** On gateway 1. */
  to: Device;
}

export interface Population {
  users: HarnessUser[];
  devices: Device[];
  conversations: HarnessConversation[];
  probe: Probe;
}

export interface PopulationOptions {
  users: number;
  groups: number;
  groupSize: number;
}

/** Registrations at a time: auth hashes each password (argon2), which is CPU-bound. */
const REGISTER_CONCURRENCY = 4;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

async function register(auth: AuthClient, username: string): Promise<{ userId: string; session: AuthSession }> {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const { userId } = await auth.register(username, password);
  const session = await AuthSession.login(auth, username, password);
  return { userId, session };
}

export async function createPopulation(cluster: Cluster, options: PopulationOptions, random: SeededRandom): Promise<Population> {
  const auth = new AuthClient(cluster.authUrl);
  const run = randomBytes(3).toString('hex');
  let nextDevice = 0;
  const devices: Device[] = [];

  const addUser = async (username: string, deviceCount: number, gateway?: number): Promise<HarnessUser> => {
    const { userId, session } = await register(auth, username);
    const user: HarnessUser = { username, userId, devices: [] };
    for (let d = 0; d < deviceCount; d += 1) {
      const gatewayIndex = gateway ?? nextDevice++ % 2;
      const device = new Device(`${username}#${d + 1}`, userId, gatewayIndex);
      await device.connect(cluster.gatewayUrl(gatewayIndex), session.tokenProvider);
      user.devices.push(device);
      devices.push(device);
    }
    return user;
  };

  const indexes = Array.from({ length: options.users }, (_, i) => i);
  const users = await inBatches(indexes, REGISTER_CONCURRENCY, (i) => addUser(`fh_${run}_${i}`, i % 4 === 0 ? 2 : 1));
  const [probeA, probeB] = await Promise.all([addUser(`fh_${run}_probe_a`, 1, 0), addUser(`fh_${run}_probe_b`, 1, 1)]);

  const conversations: HarnessConversation[] = [];
  // A ring of direct conversations: everyone talks to the next user.
  for (let i = 0; i < users.length; i += 1) {
    const a = users[i];
    const b = users[(i + 1) % users.length];
    if (users.length === 2 && i === 1) break;
    const { conversationId } = await a.devices[0].client.openDirect(b.userId);
    conversations.push({ conversationId, kind: 'direct', members: [a, b] });
  }
  for (let g = 0; g < options.groups; g += 1) {
    const members = random.sample(users, options.groupSize);
    const [creator, ...others] = members;
    const { conversationId } = await creator.devices[0].client.createGroup(`group ${g + 1}`, others.map((user) => user.userId));
    conversations.push({ conversationId, kind: 'group', members });
  }
  const { conversationId: probeConversation } = await probeA.devices[0].client.openDirect(probeB.userId);

  return {
    users: [...users, probeA, probeB],
    devices,
    conversations,
    probe: { conversationId: probeConversation, from: probeA.devices[0], to: probeB.devices[0] },
  };
}
