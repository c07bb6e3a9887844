import { clone, isObject, type Json, type JsonObject } from '../manifest';

/**
 * The list fields of the Kubernetes API that a strategic merge patch merges item by item, with the
 * key that identifies an item (the `patchMergeKey` of the API types). Every other list is replaced
 * whole by the patch's, as kustomize does. Only fields these manifests patch need to be here; a
 * merge that needs a missing one shows up as a difference in the conformance spec against kustomize.
 */
function mergeKeyOf(field: string, path: readonly string[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    case 'ports':
      // A container's ports are keyed by number, a Service's by its port.
      return path.includes('containers') || path.includes('initContainers') ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

const PATCH_DIRECTIVE = '$patch';

/** Whether a patch document asks to delete the object it names (`$patch: delete`). */
export function isDeletePatch(patch: JsonObject): boolean {
  return patch[PATCH_DIRECTIVE] === 'delete';
}

/**
 * Applies a strategic merge patch: maps merge key by key, `null` removes a key, lists with a merge
 * key merge item by item (`$patch: delete` on an item removes it), other lists and scalars replace.
 */
export function strategicMerge(target: JsonObject, patch: JsonObject, path: readonly string[] = []): JsonObject {
  const result = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (key === PATCH_DIRECTIVE) continue;
    const current = result[key];
    if (value === null) {
      delete result[key];
    } else if (isObject(value) && isObject(current)) {
      result[key] = strategicMerge(current, value, [...path, key]);
    } else if (Array.isArray(value) && Array.isArray(current)) {
      result[key] = mergeList(current, value, mergeKeyOf(key, path), [...path, key]);
    } else {
      result[key] = stripDirectives(value);
    }
  }
  return result;
}

function mergeList(target: Json[], patch: Json[], mergeKey: string | undefined, path: readonly string[]): Json[] {
  if (mergeKey === undefined) return patch.map(stripDirectives);
  const result = clone(target);
  for (const item of patch) {
    if (!isObject(item) || item[mergeKey] === undefined) throw new Error(`${path.join('.')}: every item of a merged list needs "${mergeKey}"`);
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (isDeletePatch(item)) {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index] as JsonObject, item, path);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== PATCH_DIRECTIVE).map(([key, item]) => [key, stripDirectives(item)]));
}
