/* Throwaway check of docs/protocol.md and docs/asyncapi.yaml against the zod schemas. Deleted after running. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Envelope, RecordType } from '../envelope';
import { directConversationId } from '../ids';
import { MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES } from '../limits';
import { ChatCommands, chatCommandKey } from '../records/commands';
import { FrameRouted, frameRoutedKey } from '../records/delivery';
import { ChatEvents } from '../records/events';
import { GatewayLeaseRenewed } from '../records/gateways';
import { MembershipChanged } from '../records/memberships';
import { PresenceChanged, presenceKey } from '../records/presence';
import { UserRegistered } from '../records/users';
import { InstanceHeartbeat } from '../heartbeat';
import { ProtocolError } from '../protocol-error';
import { ClientFrameTypes } from './client-frames';
import { decodeClientFrame, decodeServerFrame } from './codec';
import { ServerFrameSchema, ServerFrameTypes } from './server-frames';
import { CloseCodes } from './close-codes';
import { ERROR_CODES } from './error-codes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv = require('ajv') as new (options: object) => {
  addSchema(schema: object, key: string): void;
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
};

const root = resolve(__dirname, '../../../../..');
const markdown = readFileSync(resolve(root, 'docs/protocol.md'), 'utf8');
const asyncapi = yaml.load(readFileSync(resolve(root, 'docs/asyncapi.yaml'), 'utf8')) as any;

const blocks = [...markdown.matchAll(/<!-- (client|server) -->\s*\n```json\n([\s\S]*?)\n```/g)].map((m) => ({ side: m[1], text: m[2] }));
const clientBlocks = blocks.filter((b) => b.side === 'client').map((b) => b.text);
const serverBlocks = blocks.filter((b) => b.side === 'server').map((b) => b.text);

const ajv = new Ajv({ allErrors: true, validateSchema: false, unknownFormats: 'ignore' });
ajv.addSchema(asyncapi, 'asyncapi');
const compiled = new Map<string, (data: unknown) => boolean>();
function schemaCheck(pointer: string): (data: unknown) => boolean {
  let fn = compiled.get(pointer);
  if (!fn) {
    fn = ajv.compile({ $ref: `asyncapi#${pointer}` });
    compiled.set(pointer, fn);
  }
  return fn;
}
const ajvAccepts = (pointer: string, data: unknown): boolean => schemaCheck(pointer)(data);

const ALICE = '6f1c2a4e-8b3d-4f7a-9c21-3e5d7a9b1c42';
const BOB = '2b7e9d10-5c4f-4a8e-b3d6-91f0c2e4a7b5';

/** Record types by name, for decoding the Kafka examples with the real codecs. */
const recordTypes = new Map<string, RecordType<string, any>>(
  [...ChatCommands.types, ...ChatEvents.types, UserRegistered, MembershipChanged, PresenceChanged, GatewayLeaseRenewed, FrameRouted, InstanceHeartbeat].map(
    (type) => [type.type, type as RecordType<string, any>],
  ),
);

function zodClient(value: unknown): boolean {
  try {
    decodeClientFrame(JSON.stringify(value), MAX_CLIENT_FRAME_BYTES);
    return true;
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
}
const zodServer = (value: unknown): boolean => ServerFrameSchema.safeParse(value).success;
function zodRecord(value: unknown): boolean {
  const type = (value as { type?: unknown })?.type;
  const recordType = typeof type === 'string' ? recordTypes.get(type) : undefined;
  if (!recordType) return false;
  try {
    recordType.decode(JSON.stringify(value));
    return true;
  } catch (error) {
    if (error instanceof ProtocolError) return false;
    throw error;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Variants of a JSON value, each breaking (or stretching) one thing. */
function mutations(value: unknown): unknown[] {
  const out: unknown[] = [];
  const clone = (): any => JSON.parse(JSON.stringify(value));
  const visit = (node: unknown, path: (string | number)[]): void => {
    const set = (replacement: unknown, remove = false): void => {
      const copy = clone();
      if (path.length === 0) {
        out.push(replacement);
        return;
      }
      let parent = copy;
      for (const key of path.slice(0, -1)) parent = parent[key];
      const last = path[path.length - 1];
      if (remove) {
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
      } else parent[last] = replacement;
      out.push(copy);
    };
    if (typeof node === 'string') {
      for (const v of ['', ' \n ', 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(501), 'x'.repeat(4001), 'a b', 'A', 'abc', 'not-a-uuid', 'GW', 'gateway_0', 42, null]) set(v);
      if (UUID.test(node)) {
        set(node.toUpperCase());
        set(node.replace(/^(.{14})./, '$10'));
        set(node.replace(/^(.{19})./, '$1c'));
      }
    } else if (typeof node === 'number') {
      for (const v of [-1, 0, 1, 1.5, 101, 256, 999, 1000, 600001, '7', null]) set(v);
    } else if (typeof node === 'boolean') {
      for (const v of ['true', 0, null]) set(v);
    } else if (Array.isArray(node)) {
      set([]);
      if (node.length > 0) {
        set([...node, node[0]]);
        for (const size of [2, 3, 100, 101, 255, 256, 257, 500, 501, 1000, 1001]) {
          set(Array.from({ length: size }, (_, i) => (typeof node[0] === 'string' && UUID.test(node[0]) ? randomUUID() : i === 0 ? node[0] : { ...(node[0] as object) })));
        }
      }
      node.forEach((item, i) => {
        set(undefined, true);
        visit(item, [...path, i]);
      });
    } else if (node && typeof node === 'object') {
      const copy = clone();
      let target = copy;
      for (const key of path) target = target[key];
      target.zz = 1;
      out.push(copy);
      for (const [key, child] of Object.entries(node)) {
        const without = clone();
        let parent = without;
        for (const k of path) parent = parent[k];
        delete parent[key];
        out.push(without);
        visit(child, [...path, key]);
      }
    }
  };
  visit(value, []);
  return out;
}

function disagreements(examples: unknown[], zod: (v: unknown) => boolean, pointer: (v: unknown) => string): string[] {
  const found: string[] = [];
  for (const example of examples) {
    for (const variant of mutations(example)) {
      const t = (variant as { type?: unknown } | null)?.type;
      if (pointer(variant) === '/components/schemas/Envelope' && !(typeof t === 'string' && recordTypes.has(t))) continue;
      const z = zod(variant);
      const a = ajvAccepts(pointer(variant), variant);
      if (z !== a) found.push(`zod ${z ? 'accepts' : 'rejects'}, JSON Schema ${a ? 'accepts' : 'rejects'}: ${JSON.stringify(variant).slice(0, 300)}`);
    }
  }
  return found;
}

describe('docs/protocol.md examples', () => {
  it('marks every json block', () => {
    const all = [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].length;
    // The one unmarked block is the REST login response.
    expect(blocks.length).toBe(all - 1);
    expect(clientBlocks.length).toBeGreaterThan(11);
    expect(serverBlocks.length).toBeGreaterThan(13);
  });

  it.each(clientBlocks.map((text, i) => [i, text]))('client example %i decodes', (_i, text) => {
    expect(() => decodeClientFrame(text, MAX_CLIENT_FRAME_BYTES)).not.toThrow();
    expect(ajvAccepts('/components/schemas/ClientFrame', JSON.parse(text))).toBe(true);
  });

  it.each(serverBlocks.map((text, i) => [i, text]))('server example %i decodes', (_i, text) => {
    expect(() => decodeServerFrame(text, MAX_SERVER_FRAME_BYTES)).not.toThrow();
    expect(ajvAccepts('/components/schemas/ServerFrame', JSON.parse(text))).toBe(true);
  });

  it('covers every frame type', () => {
    const typesOf = (texts: string[]) => new Set(texts.map((t) => (JSON.parse(t) as { type: string }).type));
    expect(typesOf(clientBlocks)).toEqual(new Set(ClientFrameTypes));
    expect(typesOf(serverBlocks)).toEqual(new Set(ServerFrameTypes));
    for (const type of [...ClientFrameTypes, ...ServerFrameTypes]) expect(markdown).toContain(`### \`${type}\``);
  });

  it('uses the real direct conversation id and lists every close and error code', () => {
    expect(directConversationId(ALICE, BOB)).toBe('291a9876-9035-5df4-bbaf-08fc081453f9');
    for (const [name, { code }] of Object.entries(CloseCodes)) expect(markdown).toMatch(new RegExp(`\\| ${code} \\| \`${name}\` \\|`));
    for (const code of ERROR_CODES) expect(markdown).toMatch(new RegExp(`\\| \`${code}\` \\|`));
    expect(asyncapi.components.schemas.ErrorCode.enum).toEqual([...ERROR_CODES]);
  });
});

describe('docs/asyncapi.yaml', () => {
  const messages = Object.entries(asyncapi.components.messages as Record<string, any>);
  const wsMessages = messages.filter(([key]) => key.startsWith('client') || key.startsWith('server'));
  const kafkaMessages = messages.filter(([key]) => !key.startsWith('client') && !key.startsWith('server'));

  it('names every record type and frame type once', () => {
    const recordNames = kafkaMessages.map(([, m]) => m.name).filter((name: string) => recordTypes.has(name));
    expect(new Set(recordNames)).toEqual(new Set(recordTypes.keys()));
    expect(new Set(wsMessages.filter(([k]) => k.startsWith('client')).map(([, m]) => m.name))).toEqual(new Set(ClientFrameTypes));
    expect(new Set(wsMessages.filter(([k]) => k.startsWith('server')).map(([, m]) => m.name))).toEqual(new Set(ServerFrameTypes));
  });

  it.each(wsMessages.map(([key, m]) => [key, m]))('%s examples validate with zod and the JSON Schema', (key, m) => {
    expect(m.examples.length).toBeGreaterThan(0);
    for (const { payload } of m.examples) {
      expect(ajvAccepts(`/components/messages/${key}/payload`, payload)).toBe(true);
      if (key.startsWith('client')) expect(zodClient(payload)).toBe(true);
      else expect(zodServer(payload)).toBe(true);
      expect(payload.type).toBe(m.name);
    }
  });

  it.each(kafkaMessages.filter(([, m]) => m.examples).map(([key, m]) => [key, m]))('%s examples validate with zod and the JSON Schema', (key, m) => {
    for (const example of m.examples) {
      const { payload, headers, summary } = example;
      expect(ajvAccepts(`/components/messages/${key}/payload`, payload)).toBe(true);
      const headersPointer = m.headers.$ref.slice(1);
      expect(ajvAccepts(headersPointer, headers)).toBe(true);
      expect(headers['trace-id']).toBe(payload.traceId);
      expect(headers['produced-at']).toBe(String(payload.producedAt));
      expect(headers['record-type']).toBe(payload.type);
      const key0 = /key: (\S+)/.exec(summary)?.[1] as string;
      expect(ajvAccepts(`/components/messages/${key}/bindings/kafka/key`, key0)).toBe(true);
      if (key === 'deadLetter') {
        // The example is a record that fails to decode, with the error the consumer would write.
        let message = '';
        try {
          ChatCommands.decode(JSON.stringify(payload));
        } catch (error) {
          message = `${(error as Error).name}: ${(error as Error).message}`;
        }
        expect(headers['dlq-error']).toBe(message);
        continue;
      }
      expect(zodRecord(payload)).toBe(true);
      expect(payload.type).toBe(m.name);
      const envelope = payload as Envelope<string, any>;
      if (ChatCommands.has(envelope.type)) expect(key0).toBe(chatCommandKey(ChatCommands.parse(envelope)));
      if (envelope.type === 'chat.frame-routed') expect(key0).toBe(frameRoutedKey(envelope.payload));
      if (envelope.type === 'chat.presence-changed') expect(key0).toBe(presenceKey(envelope.payload.gatewayId, envelope.payload.userId));
      if (envelope.type === 'chat.command-answered') expect(key0).toBe(payload.payload.frame.replyTo === '22' ? directConversationId(ALICE, BOB) : payload.payload.frame.conversationId ?? key0);
    }
  });

  it('JSON Schemas agree with zod on client frame variants', () => {
    const examples = clientBlocks.map((t) => JSON.parse(t));
    const found = disagreements(examples, zodClient, () => '/components/schemas/ClientFrame');
    process.stdout.write(`client disagreements (${found.length}):\n${[...new Set(found)].slice(0, 40).join('\n')}\n`);
  });

  it('JSON Schemas agree with zod on server frame variants', () => {
    const examples = serverBlocks.map((t) => JSON.parse(t));
    const found = disagreements(examples, zodServer, () => '/components/schemas/ServerFrame');
    process.stdout.write(`server disagreements (${found.length}):\n${[...new Set(found)].slice(0, 40).join('\n')}\n`);
  });

  it('JSON Schemas agree with zod on record variants', () => {
    const byType = new Map(kafkaMessages.map(([key, m]) => [m.name, key]));
    const examples = kafkaMessages.filter(([key, m]) => m.examples && key !== 'deadLetter').flatMap(([, m]) => m.examples.map((e: any) => e.payload));
    const found = disagreements(examples, zodRecord, (v: any) => {
      const key = typeof v?.type === 'string' ? byType.get(v.type) : undefined;
      return key ? `/components/messages/${key}/payload` : '/components/schemas/Envelope';
    });
    process.stdout.write(`record disagreements (${found.length}):\n${[...new Set(found)].slice(0, 60).join('\n')}\n`);
  });
});
