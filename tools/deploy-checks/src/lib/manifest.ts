import { parseAllDocuments, stringify } from 'yaml';

/** A JSON value as YAML manifests hold them. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** One Kubernetes object of a rendered overlay. */
export interface Manifest extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isManifest(value: Json): value is Manifest {
  return isObject(value) && typeof value['apiVersion'] === 'string' && typeof value['kind'] === 'string' && isObject(value['metadata']) && typeof value['metadata']['name'] === 'string';
}

/** `Kind/name`, how problems name an object. */
export function idOf(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}

/** The documents of a YAML file or stream; empty documents (a trailing `---`) are dropped. */
export function parseYamlDocuments(text: string, source: string): Json[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0].message}`);
      return document.toJS() as Json;
    })
    .filter((value) => value !== null && value !== undefined);
}

export function toYamlStream(manifests: Manifest[]): string {
  return manifests.map((manifest) => stringify(manifest, { lineWidth: 0 })).join('---\n');
}

/** A deep copy, so that a transformation or a test's mutation never touches the original. */
export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Walks a path of keys; undefined as soon as a step is missing. */
export function get(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let current = value;
  for (const step of path) {
    if (typeof step === 'number') current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
  }
  return current;
}

export function objectsAt(value: Json | undefined, ...path: (string | number)[]): JsonObject[] {
  const found = get(value, ...path);
  return Array.isArray(found) ? found.filter(isObject) : [];
}

export function stringMap(value: Json | undefined): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
