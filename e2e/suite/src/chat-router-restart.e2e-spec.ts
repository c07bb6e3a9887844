import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { expectEventually } from '@chat/testing';

/*
 * The router keeps where every user is connected (chat.presence, chat.gateways) and who is in which
 * conversation (chat.memberships) in memory, rebuilt from the compacted topics on every start. A
 * crash must lose none of it: after a SIGKILL and a restart, deliveries still reach the right
 * gateways, nobody is reported offline, and what was stored meanwhile is delivered.
 */

const suite = useChatSuite({ label: 'router-restart', gateways: [{}, {}] });
const users = useChatUsers(suite);

interface Cast {
  ann: TestUser;
  ben: TestUser;
  cat: TestUser;
  /** ann on gateway 0, ben on gateway 1, cat on both (phone on 0, laptop on 1). */
  devices: TestDevice[];
  groupId: string;
}

/**
 * Connects everyone first, then creates the group: every device receiving its member_added proves
 * the router routes to all of them before the test starts.
 */
async function castAcrossGateways(): Promise<Cast> {
  const [ann, ben, cat] = await users.registerMany(3, 'router');
  if (!ann || !ben || !cat) throw new Error('registration failed');
  const devices = [
    await users.connect(ann, { gateway: 0 }),
    await users.connect(ben, { gateway: 1 }),
    await users.connect(cat, { gateway: 0 }),
    await users.connect(cat, { gateway: 1 }),
  ];
  const [annDevice] = devices as [TestDevice];
  const group = await annDevice.client.createGroup('Across gateways', [ben.userId, cat.userId]);
  await expectEventually(() => {
    for (const device of devices) expect({ device: device.user.username, added: device.memberAdded.some((frame) => frame.conversationId === group.conversationId) }).toEqual({ device: device.user.username, added: true });
  });
  return { ann, ben, cat, devices, groupId: group.conversationId };
}

function expectEveryDeviceSaw(cast: Cast, expected: Array<[number, string]>): void {
  for (const [index, device] of cast.devices.entries()) {
    expect({ device: `${index}:${device.user.username}`, seen: device.seen(cast.groupId) }).toEqual({ device: `${index}:${device.user.username}`, seen: expected });
  }
}

describe('router restart, end to end', () => {
  it('after a SIGKILL and restart of the router, messages still reach users on both gateways and nobody goes offline', async () => {
    const cast = await castAcrossGateways();
    const [ann, ben, catPhone, catLaptop] = cast.devices as [TestDevice, TestDevice, TestDevice, TestDevice];
    const expected: Array<[number, string]> = [];
    for (const [device, body] of [[ann, 'before: ann'], [ben, 'before: ben'], [catLaptop, 'before: cat']] as const) {
      const stored = await device.client.sendAndWaitStored(cast.groupId, body);
      expected.push([stored.seq, body]);
    }
    await expectEventually(() => expectEveryDeviceSaw(cast, expected));

    await suite().restart('router', 'SIGKILL');

    for (const [device, body] of [[catPhone, 'after: cat'], [ben, 'after: ben'], [ann, 'after: ann']] as const) {
      const stored = await device.client.sendAndWaitStored(cast.groupId, body);
      expected.push([stored.seq, body]);
    }
    expect(expected.map(([seq]) => seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await expectEventually(() => expectEveryDeviceSaw(cast, expected));

    // The restarted router rebuilt presence instead of forgetting it: no one was reported offline.
    for (const device of cast.devices) expect(device.presence.filter((frame) => !frame.online)).toEqual([]);
    // No client had to reconnect: the gateways kept every socket across the router's crash.
    for (const device of cast.devices) expect(device.client.stats.reconnects).toBe(0);
  });

  it('presence changes after the restart are still reported', async () => {
    const cast = await castAcrossGateways();
    const [ann, , catPhone, catLaptop] = cast.devices as [TestDevice, TestDevice, TestDevice, TestDevice];
    await suite().restart('router', 'SIGKILL');

    // cat still has the laptop (gateway 1) after closing the phone (gateway 0): still online. A
    // message round trip gives the router time to have judged the phone's record (a wrong
    // "offline" would show up by then; a right router never sends one, so this cannot fail falsely).
    catPhone.client.close();
    const stored = await ann.client.sendAndWaitStored(cast.groupId, 'are you still there, cat?');
    await expectEventually(() => expect(catLaptop.seen(cast.groupId)).toContainEqual([stored.seq, stored.body]));
    expect(ann.presence.filter((frame) => frame.userId === cast.cat.userId)).toEqual([]);

    catLaptop.client.close();
    await expectEventually(() => expect(ann.lastPresenceOf(cast.cat.userId)).toBe(false));

    await users.connect(cast.cat, { gateway: 1 });
    await expectEventually(() => expect(ann.lastPresenceOf(cast.cat.userId)).toBe(true));
  });

  it('a user whose devices on two gateways disconnect at the same moment is reported offline once', async () => {
    const cast = await castAcrossGateways();
    const [ann, , catPhone, catLaptop] = cast.devices as [TestDevice, TestDevice, TestDevice, TestDevice];
    catPhone.client.close();
    catLaptop.client.close();
    await expectEventually(() => expect(ann.lastPresenceOf(cast.cat.userId)).toBe(false));
    // Frames of a later change are the fence: whatever the router announces about cat's going offline came before it.
    await users.connect(cast.cat, { gateway: 0 });
    await expectEventually(() => expect(ann.lastPresenceOf(cast.cat.userId)).toBe(true));
    expect(ann.presence.filter((frame) => frame.userId === cast.cat.userId).map((frame) => frame.online)).toEqual([false, true]);
  });

  it('messages keep flowing, in order, while the router is down: persistence delivers them straight to the gateways', async () => {
    const cast = await castAcrossGateways();
    const [ann, ben] = cast.devices as [TestDevice, TestDevice];
    await suite().kill('router', 'SIGKILL');

    const bodies = ['while down 1', 'while down 2', 'while down 3'];
    for (const body of bodies) await ann.client.send(cast.groupId, body);
    await ben.client.send(cast.groupId, 'while down 4');
    await expectEventually(() => expectEveryDeviceSaw(cast, [...bodies, 'while down 4'].map((body, i): [number, string] => [i + 1, body])), { timeoutMs: 60_000 });

    await suite().startAgain('router');
  });
});
