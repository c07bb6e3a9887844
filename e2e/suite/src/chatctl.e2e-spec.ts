import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry as KafkaJsAclEntry } from 'kafkajs';
import { AuthClient, AuthSession } from '@chat/client-sdk';
import { describeAllAcls } from '@chat/kafka';
import {
  CloseCodes,
  DELIVERY_DEAD_LETTER_TOPIC,
  deliveryTopicFor,
  FramesRouted,
  Headers,
  kafkaAclPlan,
  OPERATOR_USER_ID,
  SendMessageCommand,
  Topics,
  chatCommandKey,
  encodeEnvelope,
  framesRoutedKey,
  type Announcement,
} from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { closeCodeOf, type TestUser, useChatUsers } from './support/chat-users';
import { e2e } from './support/environment';
import { rawKafka, withAdmin } from './support/kafka-test-kit';

/*
 * chatctl, the operators' command line, run as the built process (dist/tools/chatctl/main.js)
 * against the real suite: every command, through Kafka only. Dead letters are listed, inspected and
 * replayed (processed once; a second replay is skipped; the dead letter stays), users disabled,
 * enabled, their sessions revoked, the administrator role granted and revoked, an operator's
 * announcement reaches a connected client, and consumer lag is shown for a known group. A delivery
 * topic's dead letter is replayed from the shared chat.deliveries.dlq to its own gateway only, and
 * the Kafka ACL plan is applied (what was missing created, a second run creates nothing).
 */

const suite = useChatSuite({ label: 'chatctl' });
const users = useChatUsers(suite);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function chatctl(...args: string[]): Promise<Run> {
  const entry = path.join(e2e.workspaceRoot, 'dist', 'tools', 'chatctl', 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: e2e.workspaceRoot,
      // An operator logs in as the admin principal.
      env: { PATH: process.env['PATH'] ?? '', KAFKA_BROKERS: e2e.kafkaBrokers, ...e2e.kafkaClientEnv('admin') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs chatctl with --json and expects exit 0; the parsed output. */
async function chatctlJson<T>(...args: string[]): Promise<T> {
  const run = await chatctl(...args, '--json');
  expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
}

function roleIn(accessToken: string): unknown {
  const [, payload] = accessToken.split('.');
  return (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { role?: unknown }).role;
}

async function login(user: TestUser): Promise<TestUser> {
  return { ...user, session: await AuthSession.login(new AuthClient(suite().authUrl), user.username, user.password) };
}

interface DeadLetterJson {
  partition: number;
  offset: string;
  key: string | null;
  consumerGroup: string | null;
  error: string | null;
  replayed: unknown;
}

describe('chatctl, end to end', () => {
  it('lists, inspects and replays a dead letter: processed once, a second replay skipped, the dead letter kept', async () => {
    const [alice, bob] = await users.registerMany(2, 'ctl-dlq');
    if (!alice || !bob) throw new Error('registration failed');
    const sender = await users.connect(alice);
    const receiver = await users.connect(bob);
    const { conversationId } = await sender.client.openDirect(bob.userId);

    // A valid command that failed earlier (say persistence was broken then), dead-lettered the way
    // the consumer writes dead letters: original key, value and headers, plus the dlq-* headers.
    const body = `replayed from the DLQ ${randomUUID()}`;
    const command = SendMessageCommand.create({
      senderId: alice.userId,
      conversationId,
      clientMsgId: `dlq-${randomUUID()}`,
      body,
      kind: 'text',
      replyTo: { gatewayId: suite().gatewayId(), connectionId: randomUUID(), requestId: 'dlq-1' },
    });
    const originalHeaders = { [Headers.traceId]: command.traceId, [Headers.producedAt]: String(command.producedAt), [Headers.recordType]: command.type };
    const producer = rawKafka().producer();
    await producer.connect();
    await producer.send({
      topic: `${Topics.commands.name}.dlq`,
      messages: [
        {
          key: chatCommandKey(command),
          value: encodeEnvelope(command),
          headers: {
            ...originalHeaders,
            [Headers.dlqError]: 'TransientError: database unavailable (e2e)',
            [Headers.dlqSourceTopic]: Topics.commands.name,
            [Headers.dlqSourcePartition]: '0',
            [Headers.dlqSourceOffset]: '0',
            [Headers.dlqConsumerGroup]: 'persistence.commands',
            [Headers.dlqAttempts]: '5',
            [Headers.dlqFailedAt]: new Date().toISOString(),
          },
        },
      ],
    });
    await producer.disconnect();

    // list: the topic with its count, and our dead letter among its newest, not replayed.
    const listed = await chatctlJson<{ topics: Array<{ topic: string; count: number; deadLetters: DeadLetterJson[] }> }>('dlq', 'list', '--topic', Topics.commands.name);
    expect(listed.topics.map((entry) => entry.topic)).toEqual(['chat.commands.dlq']);
    const letter = listed.topics[0]?.deadLetters.find((candidate) => candidate.key === conversationId);
    expect(letter).toMatchObject({ consumerGroup: 'persistence.commands', error: 'TransientError: database unavailable (e2e)', replayed: null });
    const position = `${letter?.partition}:${letter?.offset}`;
    const table = await chatctl('dlq', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('chat.commands.dlq');
    expect(table.stdout).toContain(conversationId);

    // inspect: key, the value as JSON, every header.
    const inspected = await chatctlJson<{ key: string; value: unknown; valueEncoding: string; headers: Record<string, string> }>('dlq', 'inspect', Topics.commands.name, position);
    expect(inspected).toMatchObject({ key: conversationId, value: JSON.parse(encodeEnvelope(command).toString()), valueEncoding: 'json' });
    expect(inspected.headers).toMatchObject({ ...originalHeaders, [Headers.dlqConsumerGroup]: 'persistence.commands', [Headers.dlqAttempts]: '5' });
    const inspectText = await chatctl('dlq', 'inspect', Topics.commands.name, position);
    expect(inspectText.stdout).toContain(`"body": "${body}"`);

    // replay: persistence stores the message, and both users see it once.
    const replayed = await chatctlJson<{ replayed: number; skipped: number }>('dlq', 'replay', Topics.commands.name, '--offset', position);
    expect(replayed).toMatchObject({ replayed: 1, skipped: 0 });
    await expectEventually(() => expect(receiver.seen(conversationId)).toEqual([[1, body]]));
    await expectEventually(() => expect(sender.seen(conversationId)).toEqual([[1, body]]));

    // Again: skipped as already replayed; with --force it goes again and the idempotency key keeps it stored once.
    const again = await chatctl('dlq', 'replay', Topics.commands.name, '--offset', position);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('skipped: already replayed');
    const forced = await chatctlJson<{ replayed: number }>('dlq', 'replay', Topics.commands.name, '--offset', position, '--force');
    expect(forced.replayed).toBe(1);
    // A later message gets seq 2: the forced replay did not store a second copy.
    await sender.client.sendAndWaitStored(conversationId, 'after the replays');
    const page = await receiver.client.history(conversationId, { limit: 10 });
    expect(page.messages.map((message) => [message.seq, message.body])).toEqual([
      [1, body],
      [2, 'after the replays'],
    ]);

    // The dead letter is still there, as it was, now marked replayed.
    const after = await chatctlJson<{ value: unknown; headers: Record<string, string>; replayed: { forced: boolean } | null }>('dlq', 'inspect', Topics.commands.name, position);
    expect(after.value).toEqual(inspected.value);
    expect(after.headers).toEqual(inspected.headers);
    expect(after.replayed).toMatchObject({ forced: true });
  });

  it("replays a delivery topic's dead letter from the shared chat.deliveries.dlq back to that gateway, and no other's", async () => {
    const [gina, hank] = await users.registerMany(2, 'ctl-dlv');
    if (!gina || !hank) throw new Error('registration failed');
    const sender = await users.connect(gina);
    const receiver = await users.connect(hank);
    const { conversationId } = await sender.client.openDirect(hank.userId);
    await expectEventually(() => expect(receiver.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));

    // A typing frame for hank's gateway that its delivery consumer gave up on, as it writes dead
    // letters; and the same frame dead-lettered by a gateway that is gone.
    const gatewayTopic = deliveryTopicFor(suite().gatewayId()).name;
    const goneTopic = deliveryTopicFor(`gone-${randomUUID().slice(0, 8)}`).name;
    const delivery = FramesRouted.create({ target: { userIds: [hank.userId] }, frames: [{ type: 'typing', conversationId, userId: gina.userId, active: true }] });
    const deadLetter = (sourceTopic: string) => ({
      key: framesRoutedKey(delivery.payload),
      value: encodeEnvelope(delivery),
      headers: {
        [Headers.traceId]: delivery.traceId,
        [Headers.recordType]: delivery.type,
        [Headers.dlqError]: 'Error: delivery failed (e2e)',
        [Headers.dlqSourceTopic]: sourceTopic,
        [Headers.dlqSourcePartition]: '0',
        [Headers.dlqSourceOffset]: '0',
        [Headers.dlqConsumerGroup]: `gateway.${sourceTopic.slice('chat.delivery.'.length)}`,
        [Headers.dlqAttempts]: '5',
        [Headers.dlqFailedAt]: new Date().toISOString(),
      },
    });
    const producer = rawKafka().producer();
    await producer.connect();
    const [ours] = await producer.send({ topic: DELIVERY_DEAD_LETTER_TOPIC, acks: -1, messages: [deadLetter(gatewayTopic)] });
    const [theirs] = await producer.send({ topic: DELIVERY_DEAD_LETTER_TOPIC, acks: -1, messages: [deadLetter(goneTopic)] });
    await producer.disconnect();
    const position = `${ours?.partition}:${ours?.baseOffset}`;
    const goneRecord = `${theirs?.partition}:${theirs?.baseOffset}`;

    // list --topic <delivery topic>: the shared topic, only the dead letters of that delivery topic.
    const listed = await chatctlJson<{ topics: Array<{ topic: string; sourceTopic: string; deadLetters: Array<DeadLetterJson & { source: { topic: string } }> }> }>('dlq', 'list', '--topic', gatewayTopic);
    expect(listed.topics.map((entry) => [entry.topic, entry.sourceTopic])).toEqual([[DELIVERY_DEAD_LETTER_TOPIC, gatewayTopic]]);
    expect(new Set(listed.topics[0]?.deadLetters.map((letter) => letter.source.topic))).toEqual(new Set([gatewayTopic]));
    expect(listed.topics[0]?.deadLetters.map((letter) => `${letter.partition}:${letter.offset}`)).toContain(position);
    const everything = await chatctl('dlq', 'list');
    expect(everything.stdout).toContain(`${DELIVERY_DEAD_LETTER_TOPIC} (from chat.delivery.<gatewayId>)`);
    expect(everything.stdout).toContain(goneTopic);

    // The gone gateway's dead letter is not this gateway's to inspect or replay.
    const wrong = await chatctl('dlq', 'inspect', gatewayTopic, goneRecord);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`chatctl: the dead letter at ${DELIVERY_DEAD_LETTER_TOPIC} ${goneRecord} came from ${goneTopic}, not from ${gatewayTopic}\n`);
    const inspected = await chatctlJson<{ source: { topic: string }; value: unknown }>('dlq', 'inspect', gatewayTopic, position);
    expect(inspected).toMatchObject({ source: { topic: gatewayTopic }, value: JSON.parse(encodeEnvelope(delivery).toString()) });

    // replay (chatctl as admin) puts it on hank's gateway's delivery topic: hank sees gina typing.
    expect(receiver.typing).toEqual([]);
    const replayed = await chatctlJson<{ deadLetterTopic: string; sourceTopic: string; replayed: number }>('dlq', 'replay', gatewayTopic, '--offset', position);
    expect(replayed).toEqual(expect.objectContaining({ deadLetterTopic: DELIVERY_DEAD_LETTER_TOPIC, sourceTopic: gatewayTopic, replayed: 1 }));
    await expectEventually(() => expect(receiver.typing.map((frame) => [frame.conversationId, frame.userId, frame.active])).toEqual([[conversationId, gina.userId, true]]));
    const refused = await chatctl('dlq', 'replay', goneTopic, '--all');
    expect(refused).toMatchObject({ code: 1, stderr: `chatctl: source topic ${goneTopic} does not exist\n` });
  });

  it('disables a user (sockets close with 4004, login refused with 403 account_disabled) and enables them again', async () => {
    const carol = await users.register('ctl-dis');
    const device = await users.connect(carol);
    const disabled = await chatctl('user', 'disable', carol.username);
    expect(disabled).toEqual({ code: 0, stdout: `user ${carol.username} disabled, 1 session revoked\n`, stderr: '' });
    await expectEventually(() => expect(closeCodeOf(device)).toBe(CloseCodes.session_revoked.code));
    await expect(login(carol)).rejects.toMatchObject({ status: 403, code: 'account_disabled' });
    await expect(carol.session.refresh()).rejects.toMatchObject({ status: 401, code: 'invalid_refresh_token' });

    const again = await chatctl('user', 'disable', carol.username);
    expect(again.stdout).toBe(`user ${carol.username} was already disabled, 0 sessions revoked\n`);

    const enabled = await chatctl('user', 'enable', carol.username.toUpperCase());
    expect(enabled).toEqual({ code: 0, stdout: `user ${carol.username} enabled: they can log in again\n`, stderr: '' });
    const back = await users.connect(await login(carol));
    expect(back.client.state).toBe('ready');
  });

  it('revokes every session of a user: their sockets close with 4004, refresh tokens stop working', async () => {
    const dave = await users.register('ctl-rev');
    const phone = await users.connect(dave);
    const laptopLogin = await login(dave);
    const laptop = await users.connect(laptopLogin);
    const result = await chatctlJson<{ outcome: string; sessionsRevoked: number; userId: string }>('user', 'revoke-sessions', dave.username);
    expect(result).toMatchObject({ outcome: 'applied', sessionsRevoked: 2, userId: dave.userId });
    for (const device of [phone, laptop]) await expectEventually(() => expect(closeCodeOf(device)).toBe(CloseCodes.session_revoked.code));
    await expect(laptopLogin.session.refresh()).rejects.toMatchObject({ status: 401, code: 'invalid_refresh_token' });
  });

  it('grants the administrator role (the next token carries it, the user can announce) and revokes it (sessions end, announce is forbidden)', async () => {
    const erin = await users.register('ctl-adm');
    expect(roleIn(await erin.session.validAccessToken())).toBeUndefined();
    const granted = await chatctl('user', 'grant-admin', erin.username);
    expect(granted).toEqual({ code: 0, stdout: `user ${erin.username} granted the administrator role (in tokens issued from now on)\n`, stderr: '' });

    const admin = await login(erin);
    expect(roleIn(await admin.session.validAccessToken())).toBe('admin');
    const device = await users.connect(admin);
    const stored = await device.client.announce(`erin's notice ${randomUUID()}`, { expiresInSeconds: 60 });
    expect(stored.senderId).toBe(erin.userId);

    // Both of erin's sessions end: the one from registration and the administrator's.
    const revoked = await chatctl('user', 'revoke-admin', erin.username);
    expect(revoked).toEqual({ code: 0, stdout: `user ${erin.username} no longer has the stored administrator role, 2 sessions revoked\n`, stderr: '' });
    await expectEventually(() => expect(closeCodeOf(device)).toBe(CloseCodes.session_revoked.code));
    const plain = await login(erin);
    expect(roleIn(await plain.session.validAccessToken())).toBeUndefined();
    const refused = await (await users.connect(plain)).client.announce('not any more').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'forbidden' });
  });

  it('says when a user does not exist (exit 1) and names a bad argument (exit 2)', async () => {
    const missing = await chatctl('user', 'disable', `nobody-${Date.now().toString(36)}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^chatctl: user nobody-\S+ not found: auth knows no such username\n$/);
    const usage = await chatctl('user', 'disable', 'no spaces allowed');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('<username> "no spaces allowed" is not a username');
  });

  it("sends an operator's announcement that a connected client receives", async () => {
    const frank = await users.register('ctl-ann');
    const device = await users.connect(frank);
    const heard: Announcement[] = [];
    device.client.on('announcement', (announcement) => heard.push(announcement));
    const text = `Maintenance tonight ${randomUUID()}`;
    const sent = await chatctlJson<Announcement>('announce', text, '--expires-in', '10m');
    expect(sent).toEqual({ announcementId: expect.any(String), senderId: OPERATOR_USER_ID, body: text, sentAt: expect.any(Number), expiresAt: sent.sentAt + 600_000 });
    await expectEventually(() => expect(heard).toEqual([sent]));
  });

  it('shows consumer lag per group, topic and partition with totals', async () => {
    const lag = await chatctlJson<{ groups: Array<{ group: string; state: string; lag: number; partitions: Array<{ topic: string; partition: number; committed: number | null; end: number | null; lag: number | null }> }> }>(
      'lag',
      '--group',
      'persistence.commands',
    );
    expect(lag.groups).toHaveLength(1);
    const [group] = lag.groups;
    expect(group).toMatchObject({ group: 'persistence.commands', state: 'Stable', lag: expect.any(Number) });
    // Every partition the group ever committed on (its members committed what they handled).
    expect(group?.partitions.length).toBeGreaterThan(0);
    expect(group?.partitions.length).toBeLessThanOrEqual(Topics.commands.partitions);
    for (const partition of group?.partitions ?? []) {
      expect(partition.topic).toBe(Topics.commands.name);
      if (partition.committed !== null) expect(partition.end).toBeGreaterThanOrEqual(partition.committed);
    }
    expect(group?.partitions.some((partition) => (partition.committed ?? 0) > 0)).toBe(true);
    const text = await chatctl('lag');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^group\s+state\s+members\s+lag\n/);
    expect(text.stdout).toMatch(/persistence\.commands\s+chat\.commands\s+\d+\s+\d+\s+\d+\s+\d+/);
    const unknown = await chatctl('lag', '--group', 'no-such-group');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no consumer group no-such-group');
  });

  const itSecured = e2e.kafkaSecurity !== undefined ? it : it.skip;

  itSecured("applies the ACL plan: creates what the broker lacks, a second run creates nothing, --prune deletes the services' ACLs outside the plan", async () => {
    const plan = kafkaAclPlan();
    // One ACL of the plan removed (auth's WRITE on its dead-letter topic: nothing dead-letters meanwhile),
    // and one the plan does not hold added.
    const missing: KafkaJsAclEntry = {
      principal: 'User:auth',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
      resourceType: AclResourceTypes.TOPIC,
      resourceName: `${Topics.userAdmin.name}.dlq`,
      resourcePatternType: ResourcePatternTypes.LITERAL,
    };
    const stale: KafkaJsAclEntry = { ...missing, principal: 'User:gateway', resourceName: 'chat.delivery.', resourcePatternType: ResourcePatternTypes.PREFIXED };
    await withAdmin(async (admin) => {
      await admin.deleteAcls({ filters: [missing] });
      await admin.createAcls({ acl: [stale] });
    });
    const fields = ['principal', 'host', 'operation', 'permissionType', 'resourceType', 'resourceName', 'resourcePatternType'] as const;
    const has = async (acl: KafkaJsAclEntry) => (await withAdmin(describeAllAcls)).some((entry) => fields.every((field) => entry[field] === acl[field]));
    expect(await has(missing)).toBe(false);

    type Applied = { created: Array<Record<string, string>>; existing: unknown[]; unplanned: Array<Record<string, string>>; pruned: boolean };
    const staleInWords = { principal: 'User:gateway', host: '*', permission: 'ALLOW', operation: 'WRITE', resourceType: 'topic', patternType: 'PREFIXED', resourceName: 'chat.delivery.' };
    const first = await chatctlJson<Applied>('acls', 'apply');
    expect(first.created).toEqual([{ principal: 'auth', resourceType: 'topic', patternType: 'literal', resourceName: `${Topics.userAdmin.name}.dlq`, operation: 'write' }]);
    expect(first.existing).toHaveLength(plan.length - 1);
    expect(first).toMatchObject({ unplanned: expect.arrayContaining([staleInWords]), pruned: false });
    expect(await has(missing)).toBe(true);

    const second = await chatctl('acls', 'apply');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^0 ACLs of the plan created, ${plan.length} already there\n`));
    expect(second.stdout).toMatch(/User:gateway\s+ALLOW\s+WRITE\s+topic\s+PREFIXED\s+chat\.delivery\./);
    expect(await has(stale)).toBe(true);

    const pruned = await chatctlJson<Applied>('acls', 'apply', '--prune');
    expect(pruned).toMatchObject({ created: [], pruned: true, unplanned: expect.arrayContaining([staleInWords]) });
    expect(await has(stale)).toBe(false);
    const after = await chatctlJson<Applied>('acls', 'apply');
    expect({ created: after.created, existing: after.existing.length, unplanned: after.unplanned }).toEqual({ created: [], existing: plan.length, unplanned: [] });
  });
});
