import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gatewayPrincipal } from '@chat/protocol';
import { get, isManifest, objectsAt, parseYamlDocuments, stringMap, type Manifest } from './manifest';
import { K8S_DIR } from './paths';

/** The gateways' one StatefulSet template (reviewers edit it) and the file generated from it (applied by base). */
export const GATEWAY_TEMPLATE_FILE = path.join(K8S_DIR, 'base', 'gateway', 'statefulset.template.yaml');
export const GATEWAY_STATEFULSETS_FILE = path.join(K8S_DIR, 'base', 'gateway', 'statefulsets.yaml');
/** Gateways without `--count`: production's minimum (three zones, one gateway lost still leaves two). */
export const DEFAULT_GATEWAY_COUNT = 3;
/** The label that tells one gateway's pod from the others' (its StatefulSet's selector); every gateway pod also has app.kubernetes.io/name: gateway. */
export const GATEWAY_INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** What the template writes wherever a gateway's id goes. */
const PLACEHOLDER = /\bgateway-N\b/g;

/** The ids of `count` gateways: gateway-0 ... gateway-(count-1), each also its StatefulSet's name and its principal's suffix. */
export function gatewayIds(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new Error(`gateway count: ${count} is not a whole number from 1 to 100`);
  return Array.from({ length: count }, (_, n) => `gateway-${n}`);
}

/** The Secret holding gateway `gatewayId`'s Kafka login (principal gateway-<gatewayId>): kafka-credentials-<gatewayId>. */
export const gatewayCredentialsSecret = (gatewayId: string) => `kafka-credentials-${gatewayId}`;

/** The template, its leading comment (which tells how to use it) left out: everything from the first line that is no comment. */
function templateBody(template: string): string {
  const lines = template.split('\n');
  return lines.slice(lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#'))).join('\n');
}

/** One gateway's StatefulSet as YAML: the template with its id in every place of "gateway-N", checked field by field. */
function gatewayStatefulSetYaml(template: string, gatewayId: string): string {
  gatewayPrincipal(gatewayId); // throws, naming the id, when it could name no delivery topic
  const text = templateBody(template).replace(PLACEHOLDER, gatewayId);
  const [manifest] = parseYamlDocuments(text, GATEWAY_TEMPLATE_FILE);
  if (manifest === undefined || !isManifest(manifest) || manifest.kind !== 'StatefulSet') throw new Error(`${GATEWAY_TEMPLATE_FILE}: must hold one StatefulSet`);
  const wrong = templateProblems(manifest, gatewayId);
  if (wrong.length > 0) throw new Error(`${GATEWAY_TEMPLATE_FILE}: ${wrong.join('; ')} (write "gateway-N" where the gateway's id goes)`);
  return text;
}

/** What a gateway's StatefulSet from the template lacks, as sentences; empty when it is right. */
function templateProblems(set: Manifest, gatewayId: string): string[] {
  const problems: string[] = [];
  const container = objectsAt(set, 'spec', 'template', 'spec', 'containers').find((c) => c['name'] === 'gateway');
  const env = (name: string) => objectsAt(container, 'env').find((variable) => variable['name'] === name);
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (actual !== wanted) problems.push(`${what} must be ${String(wanted)} (found ${String(actual)})`);
  };
  expect('metadata.name', set.metadata.name, gatewayId);
  expect('spec.replicas', get(set, 'spec', 'replicas'), 1);
  expect(`spec.selector.matchLabels ${GATEWAY_INSTANCE_LABEL}`, stringMap(get(set, 'spec', 'selector', 'matchLabels'))[GATEWAY_INSTANCE_LABEL], gatewayId);
  expect(`pod label ${GATEWAY_INSTANCE_LABEL}`, stringMap(get(set, 'spec', 'template', 'metadata', 'labels'))[GATEWAY_INSTANCE_LABEL], gatewayId);
  expect('pod label app.kubernetes.io/name', stringMap(get(set, 'spec', 'template', 'metadata', 'labels'))['app.kubernetes.io/name'], 'gateway');
  if (!container) problems.push('no container named gateway');
  expect('INSTANCE_ID', env('INSTANCE_ID')?.['value'], gatewayId);
  for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
    expect(`${variable}'s Secret`, get(env(variable), 'valueFrom', 'secretKeyRef', 'name'), gatewayCredentialsSecret(gatewayId));
  }
  return problems;
}

export function gatewayStatefulSetsHeader(count: number): string {
  return [
    `# GENERATED from statefulset.template.yaml by \`npx nx run deploy-checks:gateways -- --count ${count}\`; do not edit.`,
    '# The deploy checks fail when this file and the template disagree.',
    '#',
    `# ${count} gateways, one single-replica StatefulSet each (gateway-0 ... gateway-${count - 1}): each logs in to Kafka as`,
    '# its own principal gateway-<INSTANCE_ID> with the Secret kafka-credentials-<INSTANCE_ID>. More gateways:',
    '# regenerate with a larger --count, create their Kafka users and Secrets, `chatctl acls apply',
    '# --gateway-ids ...`, then apply (docs/deploy.md, "Scaling the gateways").',
    '',
  ].join('\n');
}

/** statefulsets.yaml for `count` gateways, from the template's text (read from the repository by default). */
export function gatewayStatefulSetsYaml(count = DEFAULT_GATEWAY_COUNT, template = readFileSync(GATEWAY_TEMPLATE_FILE, 'utf8')): string {
  const sets = gatewayIds(count).map((id) => gatewayStatefulSetYaml(template, id).replace(/\n*$/, '\n'));
  return `${gatewayStatefulSetsHeader(count)}${sets.join('---\n')}`;
}

/** How many gateways a generated statefulsets.yaml holds (its StatefulSets). */
export function gatewayCountOf(generated: string): number {
  return parseYamlDocuments(generated, GATEWAY_STATEFULSETS_FILE).filter((doc) => isManifest(doc) && doc.kind === 'StatefulSet').length;
}
