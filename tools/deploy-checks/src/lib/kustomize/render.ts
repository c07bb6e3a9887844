import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { clone, isManifest, isObject, objectsAt, parseYamlDocuments, type Json, type JsonObject, type Manifest } from '../manifest';
import { isDeletePatch, strategicMerge } from './strategic-merge';

/**
 * The subset of kustomize that deploy/k8s uses, in plain TypeScript, so that the manifest checks
 * run where no kustomize or kubectl binary is installed. Supported: resources (files and
 * directories), components, namespace, patches (strategic merge, by kind and name, `$patch: delete`),
 * replicas and images. Anything else in a kustomization is an error rather than silently ignored;
 * render.spec.ts compares the output with `kubectl kustomize` wherever kubectl is installed.
 */
const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'patches', 'replicas', 'images']);
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Kinds without a namespace; the namespace transformer leaves them alone. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'IngressClass']);

/** kustomize's default ("legacy") output order: these kinds first, in this order, then the rest by group, version and kind. */
const ORDER_FIRST = [
  'Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole',
  'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

interface Kustomization {
  kind: 'Kustomization' | 'Component';
  resources: string[];
  components: string[];
  namespace?: string;
  patches: { path: string }[];
  replicas: { name: string; count: number }[];
  images: { name: string; newName?: string; newTag?: string }[];
}

/** Renders a kustomization directory like `kubectl kustomize <dir>`. */
export function renderKustomization(dir: string): Manifest[] {
  return sortLikeKustomize(build(path.resolve(dir), 'Kustomization'));
}

/**
 * Renders a kustomization with extra components applied on top, like a kustomization of one's own
 * holding `resources: [<dir>]` and `components: [...]` (how docs/deploy.md enables the optional ones).
 */
export function renderWithComponents(dir: string, components: string[]): Manifest[] {
  let resources = build(path.resolve(dir), 'Kustomization');
  for (const component of components) resources = applyComponent(path.resolve(component), resources);
  return sortLikeKustomize(resources);
}

function build(dir: string, expected: Kustomization['kind']): Manifest[] {
  const kustomization = load(dir);
  if (kustomization.kind !== expected) throw new Error(`${dir}: expected a ${expected}, found a ${kustomization.kind}`);
  let resources: Manifest[] = [];
  for (const entry of kustomization.resources) add(resources, loadResource(dir, entry), dir);
  for (const entry of kustomization.components) resources = applyComponent(path.resolve(dir, entry), resources);
  return transform(dir, kustomization, resources);
}

function applyComponent(dir: string, accumulated: Manifest[]): Manifest[] {
  const component = load(dir);
  if (component.kind !== 'Component') throw new Error(`${dir}: expected a Component, found a ${component.kind}`);
  const resources = [...accumulated];
  for (const entry of component.resources) add(resources, loadResource(dir, entry), dir);
  return transform(dir, component, resources);
}

/** The transformers of one kustomization, in kustomize's order: patches, namespace, replicas, images. */
function transform(dir: string, kustomization: Kustomization, input: Manifest[]): Manifest[] {
  let resources = input.map((resource) => clone(resource));
  for (const { path: file } of kustomization.patches) {
    for (const patch of loadDocuments(path.join(dir, file))) resources = applyPatch(resources, patch, `${dir}/${file}`);
  }
  if (kustomization.namespace !== undefined) {
    const namespace = kustomization.namespace;
    resources = resources.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace } }));
  }
  for (const { name, count } of kustomization.replicas) {
    const matches = resources.filter((r) => ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind) && r.metadata.name === name);
    if (matches.length === 0) throw new Error(`${dir}: replicas: no workload named ${name}`);
    for (const workload of matches) (workload['spec'] as JsonObject)['replicas'] = count;
  }
  for (const image of kustomization.images) resources.forEach((r) => setImages(r, image));
  return resources;
}

function applyPatch(resources: Manifest[], patch: Manifest, source: string): Manifest[] {
  const matches = (r: Manifest) =>
    r.kind === patch.kind &&
    r.metadata.name === patch.metadata.name &&
    groupOf(r.apiVersion) === groupOf(patch.apiVersion) &&
    (patch.metadata.namespace === undefined || r.metadata.namespace === patch.metadata.namespace);
  const index = resources.findIndex(matches);
  if (index < 0) throw new Error(`${source}: the patch of ${patch.kind}/${patch.metadata.name} matches no resource`);
  if (isDeletePatch(patch)) return resources.filter((_, i) => i !== index);
  return resources.map((r, i) => (i === index ? (strategicMerge(r, patch) as Manifest) : r));
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** `images:` rewrites every container image whose name (without tag or digest) matches. */
function setImages(resource: Json, image: Kustomization['images'][number]): void {
  if (Array.isArray(resource)) {
    resource.forEach((item) => setImages(item, image));
    return;
  }
  if (!isObject(resource)) return;
  for (const [key, value] of Object.entries(resource)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value.filter(isObject)) {
        if (typeof container['image'] === 'string') container['image'] = rewriteImage(container['image'], image);
      }
    } else {
      setImages(value, image);
    }
  }
}

function rewriteImage(reference: string, image: Kustomization['images'][number]): string {
  const match = /^(?<name>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$/.exec(reference);
  const name = match?.groups?.['name'] ?? reference;
  if (name !== image.name) return reference;
  const tag = image.newTag ?? match?.groups?.['tag'];
  const digest = match?.groups?.['digest'];
  return `${image.newName ?? name}${tag ? `:${tag}` : ''}${digest && !image.newTag ? `@${digest}` : ''}`;
}

function add(resources: Manifest[], added: Manifest[], dir: string): void {
  for (const resource of added) {
    const key = identity(resource);
    if (resources.some((existing) => identity(existing) === key)) throw new Error(`${dir}: ${key} is defined twice`);
    resources.push(resource);
  }
}

function identity(r: Manifest): string {
  return `${groupOf(r.apiVersion)}/${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`;
}

function loadResource(dir: string, entry: string): Manifest[] {
  const target = path.resolve(dir, entry);
  if (!existsSync(target)) throw new Error(`${dir}: resource ${entry} does not exist`);
  return statSync(target).isDirectory() ? build(target, 'Kustomization') : loadDocuments(target);
}

function loadDocuments(file: string): Manifest[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file).map((document, index) => {
    if (!isManifest(document)) throw new Error(`${file}: document ${index + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`);
    return clone(document);
  });
}

function load(dir: string): Kustomization {
  const file = KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const [document] = parseYamlDocuments(readFileSync(file, 'utf8'), file);
  if (!isObject(document)) throw new Error(`${file}: not a kustomization`);
  const unsupported = Object.keys(document).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: ${unsupported.join(', ')} not supported by the in-repo renderer (tools/deploy-checks)`);
  const strings = (key: string): string[] => {
    const value = document[key] ?? [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new Error(`${file}: ${key} must be a list of paths`);
    return value as string[];
  };
  const patches = objectsAt(document, 'patches').map((patch) => {
    if (typeof patch['path'] !== 'string' || Object.keys(patch).length !== 1) throw new Error(`${file}: only \`patches: - path: <file>\` is supported`);
    return { path: patch['path'] };
  });
  const replicas = objectsAt(document, 'replicas').map((entry) => {
    if (typeof entry['name'] !== 'string' || typeof entry['count'] !== 'number') throw new Error(`${file}: replicas need name and count`);
    return { name: entry['name'], count: entry['count'] };
  });
  const images = objectsAt(document, 'images').map((entry) => {
    const { name, newName, newTag } = entry;
    if (typeof name !== 'string' || (newName !== undefined && typeof newName !== 'string') || (newTag !== undefined && typeof newTag !== 'string')) {
      throw new Error(`${file}: images need a name and string newName/newTag`);
    }
    return { name, newName, newTag };
  });
  const kind = document['kind'] ?? 'Kustomization';
  if (kind !== 'Kustomization' && kind !== 'Component') throw new Error(`${file}: unknown kind ${String(kind)}`);
  const namespace = document['namespace'];
  if (namespace !== undefined && typeof namespace !== 'string') throw new Error(`${file}: namespace must be a string`);
  return { kind, resources: strings('resources'), components: strings('components'), namespace, patches, replicas, images };
}

function gvk(resource: Manifest): string {
  return `${groupOf(resource.apiVersion)}_${resource.apiVersion.slice(resource.apiVersion.lastIndexOf('/') + 1)}_${resource.kind}`;
}

/** Plain code-unit order, as Go compares strings (localeCompare would fold case). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortLikeKustomize(resources: Manifest[]): Manifest[] {
  const rank = (kind: string) => {
    const first = ORDER_FIRST.indexOf(kind);
    if (first >= 0) return first;
    const last = ORDER_LAST.indexOf(kind);
    return last >= 0 ? ORDER_FIRST.length + 1 + last : ORDER_FIRST.length;
  };
  return [...resources].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      byteOrder(gvk(a), gvk(b)) ||
      byteOrder(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      byteOrder(a.metadata.name, b.metadata.name),
  );
}
