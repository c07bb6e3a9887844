import { isMap, isSeq, parseDocument, type Document, type Scalar, type YAMLMap } from 'yaml';
import { z } from 'zod';
import * as protocol from '../src/index';
import { RecordType } from '../src/lib/envelope';

/*
 * The JSON Schemas of docs/asyncapi.yaml, generated from the zod schemas of this lib so the document
 * cannot drift from what the services accept. Only `components.schemas` entries named here are
 * written; channels, operations, messages, examples and every other schema (Envelope, headers, keys)
 * stay hand-written. Prose is kept: a `description`, `title`, `examples` or `$comment` the document
 * holds at a place the generated schema still has (the schema itself, a property, an item …) is
 * carried over, because the zod schemas carry their documentation in comments, not in `.describe()`.
 *
 * Regenerate with `npx nx run protocol:asyncapi`
 * (`--check` only reports); asyncapi.spec.ts fails while the document is out of date.
 */

/** Where the document lives, relative to the workspace root. */
export const ASYNCAPI_DOCUMENT = 'docs/asyncapi.yaml';
export const REGENERATE_COMMAND = 'npx nx run protocol:asyncapi';

type JsonSchema = { [key: string]: unknown };

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Keywords that are documentation, not validation: hand-written in the document, kept across runs. */
const ANNOTATIONS = ['title', 'description', 'examples', '$comment'] as const;

/**
 * The named schemas: every `<Name>Schema` export of the lib as `<Name>`, the payload of every record
 * type `<Export>` as `<Export>Payload`, and a few inner schemas worth a name of their own.
 */
export function namedSchemas(): Map<string, z.ZodType> {
  const named = new Map<string, z.ZodType>();
  const add = (name: string, schema: z.ZodType): void => {
    const taken = [...named].find(([, other]) => other === schema);
    if (taken) throw new Error(`asyncapi: ${name} and ${taken[0]} are the same zod schema; give it one name`);
    named.set(name, schema);
  };
  for (const [exported, value] of Object.entries(protocol)) {
    if (exported.endsWith('Schema') && value instanceof z.ZodType) add(exported.slice(0, -'Schema'.length), value);
  }
  for (const [exported, recordType] of recordTypes()) add(`${exported}Payload`, recordType.payloadSchema);
  add('ErrorCode', protocol.ErrorFrameSchema.shape.code);
  return named;
}

/** Every record type the lib exports, by its export name. */
export function recordTypes(): Array<[string, RecordType<string, z.ZodType>]> {
  return Object.entries(protocol).flatMap(([exported, value]): Array<[string, RecordType<string, z.ZodType>]> =>
    value instanceof RecordType ? [[exported, value as RecordType<string, z.ZodType>]] : [],
  );
}

/**
 * What zod refinements check, where JSON Schema can say it. Refinements are functions, so
 * `z.toJSONSchema` leaves them out; these add them back, by schema.
 */
const REFINEMENTS = new Map<z.ZodType, JsonSchema>([
  // not empty or whitespace only
  [protocol.MessageBodySchema, { pattern: '\\S' }],
  [protocol.TitleSchema, { pattern: '\\S' }],
  // checkConversationShape: groups have a title and roles, direct conversations neither and two members
  [protocol.ConversationSummarySchema, { allOf: [ref('ConversationShape')] }],
  [protocol.ConversationFrameSchema, { allOf: [ref('ConversationShape')] }],
  // the same, except that a group whose last member left has no members, and records from before
  // roles have none; a rename or a change of roles is announced with the group's roles
  [
    protocol.MembershipChanged.payloadSchema,
    {
      dependencies: { ownerId: ['adminIds'], adminIds: ['ownerId'] },
      allOf: [
        { if: { required: ['kind', 'memberIds'], properties: { kind: { const: 'group' }, memberIds: { minItems: 1 } } }, then: { required: ['title'] } },
        {
          if: { required: ['kind'], properties: { kind: { const: 'direct' } } },
          then: {
            allOf: [{ not: { required: ['title'] } }, { not: { required: ['ownerId'] } }, { not: { required: ['adminIds'] } }],
            properties: { memberIds: { minItems: 2, maxItems: 2 } },
          },
        },
        { if: { required: ['changed'], properties: { changed: { minItems: 1 } } }, then: { required: ['ownerId', 'adminIds'], properties: { kind: { const: 'group' } } } },
      ],
    },
  ],
]);

/** `uniqueIds(...)` arrays: UUIDs with a duplicate check (the only refinement of UUID arrays). */
function isUniqueIdArray(schema: z.ZodType): boolean {
  if (!(schema instanceof z.ZodArray)) return false;
  const element = schema.element as z.ZodType;
  const checks = schema._zod.def.checks ?? [];
  return element instanceof z.ZodUUID && checks.some((check) => check._zod.def.check === 'custom');
}

/** `{allOf: [{$ref}]}` with nothing else, as zod writes an optional reference, is just the reference. */
function simplify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(simplify);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, simplify(inner)] as const);
  const schema = Object.fromEntries(entries) as JsonSchema;
  const allOf = schema['allOf'];
  if (Object.keys(schema).length === 1 && Array.isArray(allOf) && allOf.length === 1) return allOf[0];
  return schema;
}

/** The JSON Schema of every named zod schema, with references between them. */
export function generateSchemas(): Map<string, JsonSchema> {
  const named = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of named) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-07',
    // What a receiver accepts: fields with a default may be left out.
    io: 'input',
    unrepresentable: 'throw',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({ zodSchema, jsonSchema }) => {
      const schema = zodSchema as unknown as z.ZodType;
      if (isUniqueIdArray(schema)) jsonSchema.uniqueItems = true;
      Object.assign(jsonSchema, REFINEMENTS.get(schema) ?? {});
    },
  });
  const generated = new Map<string, JsonSchema>();
  for (const name of named.keys()) {
    // Each schema is an entry of components.schemas, not a document of its own.
    const schema = { ...(schemas[name] as JsonSchema) };
    delete schema['$schema'];
    delete schema['$id'];
    generated.set(name, simplify(schema) as JsonSchema);
  }
  return generated;
}

const isObject = (value: unknown): value is JsonSchema => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The generated schema with the annotations the document holds at the same places, first. */
function withAnnotations(generated: unknown, documented: unknown): unknown {
  if (Array.isArray(generated)) {
    return generated.map((item, index) => withAnnotations(item, Array.isArray(documented) ? documented[index] : undefined));
  }
  if (!isObject(generated)) return generated;
  const old = isObject(documented) ? documented : {};
  const result: JsonSchema = {};
  for (const key of ANNOTATIONS) {
    if (old[key] !== undefined && generated[key] === undefined) result[key] = old[key];
  }
  // Keywords beside a $ref are ignored in draft-07: a documented reference becomes an allOf of one.
  const entries = Object.entries(generated).map(([key, value]) =>
    key === '$ref' && Object.keys(result).length > 0 ? (['allOf', [{ $ref: value }]] as const) : ([key, value] as const),
  );
  for (const [key, value] of entries) {
    if (key === 'properties' && isObject(value)) {
      const oldProperties = isObject(old[key]) ? old[key] : {};
      result[key] = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, withAnnotations(property, oldProperties[name])]));
    } else if (key === 'items' || key === 'not' || key.endsWith('Of')) {
      // zod writes unions as anyOf; a hand-written document may have said oneOf.
      result[key] = withAnnotations(value, old[key] ?? (key === 'anyOf' ? old['oneOf'] : undefined));
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** Short lists (`required`, `enum` of a few values) in flow style, as the document writes them by hand. */
function flowShortLists(node: unknown, key?: string): void {
  if (isMap(node)) {
    for (const pair of node.items) flowShortLists(pair.value, String((pair.key as Scalar).value));
  } else if (isSeq(node)) {
    if (key === 'required') node.flow = true;
    for (const item of node.items) flowShortLists(item);
  }
}

/** The document text with every generated schema rewritten from zod and the rest left as it was. */
export function regenerateAsyncApi(text: string): string {
  const doc: Document = parseDocument(text);
  const schemasNode = doc.getIn(['components', 'schemas']) as YAMLMap | undefined;
  if (!isMap(schemasNode)) throw new Error(`asyncapi: ${ASYNCAPI_DOCUMENT} has no components.schemas`);
  const documented = (schemasNode.toJSON() ?? {}) as Record<string, unknown>;
  for (const [name, schema] of generateSchemas()) {
    const node = doc.createNode(withAnnotations(schema, documented[name]));
    flowShortLists(node);
    schemasNode.set(name, node);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, singleQuote: true });
}
