import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { ClientFrameSchemas, ServerFrameSchemas } from '@chat/wire';
import { ASYNCAPI_DOCUMENT, namedSchemas, recordTypes, REGENERATE_COMMAND, regenerateAsyncApi } from './asyncapi-schemas';

const text = readFileSync(path.resolve(__dirname, '../../..', ASYNCAPI_DOCUMENT), 'utf8');

type Node = { [key: string]: unknown };
const document = parse(text) as { components: { messages: Record<string, Node>; schemas: Record<string, Node> } };
const schemaRef = (name: string): string => `#/components/schemas/${name}`;

/** The name a zod schema has in the document. */
function nameOf(schema: unknown): string {
  const entry = [...namedSchemas()].find(([, named]) => named === schema);
  if (!entry) throw new Error('a frame schema has no name; export it as <Name>Schema');
  return entry[0];
}

describe(ASYNCAPI_DOCUMENT, () => {
  it('holds the schemas generated from the zod schemas of libs/protocol', () => {
    const upToDate = regenerateAsyncApi(text) === text;
    if (!upToDate) throw new Error(`${ASYNCAPI_DOCUMENT} is out of date with the zod schemas of libs/protocol; run: ${REGENERATE_COMMAND}`);
  });

  it('is a valid AsyncAPI document (warnings allowed)', async () => {
    const { diagnostics } = await new Parser().parse(text);
    const errors = diagnostics
      .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
  }, 60_000);

  it('documents every record type as a message of its name, version and payload', () => {
    const messages = Object.values(document.components.messages);
    const missing = recordTypes().flatMap(([exported, recordType]) => {
      const message = messages.find((candidate) => candidate['name'] === recordType.type);
      const body = JSON.stringify(message?.['payload'] ?? null);
      const complete =
        message?.['title'] === exported &&
        body.includes(JSON.stringify({ const: recordType.type })) &&
        body.includes(JSON.stringify({ const: recordType.version })) &&
        body.includes(JSON.stringify({ $ref: schemaRef(`${exported}Payload`) }));
      return complete ? [] : [`${recordType.type} (${exported}, v${recordType.version})`];
    });
    // Hand-written: add a components.messages entry (and its channel and operations) for each.
    expect(missing).toEqual([]);
  });

  it('gives examples that libs/protocol accepts', () => {
    const named = namedSchemas();
    const rejected = Object.entries(document.components.messages).flatMap(([key, message]) => {
      const examples = (message['examples'] ?? []) as Array<{ name?: string; headers?: Record<string, unknown>; payload?: unknown }>;
      const recordType = recordTypes().find(([, candidate]) => candidate.type === message['name'])?.[1];
      const payloadRef = (message['payload'] as Node | undefined)?.['$ref'];
      const frameSchema = typeof payloadRef === 'string' ? named.get(payloadRef.replace(schemaRef(''), '')) : undefined;
      return examples.flatMap((example) => {
        try {
          if (recordType) {
            recordType.decode(JSON.stringify(example.payload));
            if (example.headers?.['record-type'] !== recordType.type) throw new Error(`header record-type is not ${recordType.type}`);
          } else if (frameSchema) {
            frameSchema.parse(example.payload);
          }
          return [];
        } catch (error) {
          return [`${key} example "${example.name}": ${error instanceof Error ? error.message : String(error)}`];
        }
      });
    });
    expect(rejected).toEqual([]);
  });

  it('documents every client and server frame as a message of the WebSocket channel', () => {
    const payloads = new Set(Object.values(document.components.messages).map((message) => JSON.stringify(message['payload'] ?? null)));
    const frames = [...Object.values(ClientFrameSchemas), ...Object.values(ServerFrameSchemas)].map(nameOf);
    const missing = frames.filter((name) => !payloads.has(JSON.stringify({ $ref: schemaRef(name) })));
    expect(missing).toEqual([]);
  });
});
