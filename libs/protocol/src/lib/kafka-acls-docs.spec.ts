import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type AclEntry, gatewayPrincipal, kafkaAclPlan, SHARED_SERVICE_PRINCIPALS, type ServicePrincipal } from './kafka-acls';
import { DLQ_SUFFIX } from './topics';

/*
 * The principal → ACL table of docs/reliability.md ("Threat model") is this rendering of
 * kafkaAclPlan(), with one gateway standing for each (its id shown as `<id>`). When the plan
 * changes, the spec fails and prints the table to paste.
 */
const SAMPLE_GATEWAY_ID = 'sample-gateway-id';
const plan = kafkaAclPlan({ gatewayIds: [SAMPLE_GATEWAY_ID] });
const PRINCIPALS: ServicePrincipal[] = [gatewayPrincipal(SAMPLE_GATEWAY_ID), ...SHARED_SERVICE_PRINCIPALS];
const shown = (name: string) => name.replaceAll(SAMPLE_GATEWAY_ID, '<id>');

function resource(entry: AclEntry): string {
  if (entry.resourceName === '*') return `every ${entry.resourceType}`;
  return entry.patternType === 'prefixed' ? `\`${shown(entry.resourceName)}*\`` : `\`${shown(entry.resourceName)}\``;
}

function names(entries: AclEntry[]): string {
  return entries.length === 0 ? '—' : entries.map(resource).join(', ');
}

/** The plan as a Markdown table: one row per principal. */
function aclTable(): string {
  const rows = PRINCIPALS.map((principal) => {
    const own = plan.filter((entry) => entry.principal === principal);
    const topics = (operation: AclEntry['operation']) => own.filter((entry) => entry.resourceType === 'topic' && entry.operation === operation);
    const isDeadLetters = (entry: AclEntry) => entry.resourceName.endsWith(DLQ_SUFFIX);
    const writes = topics('write').filter((entry) => !isDeadLetters(entry));
    const deadLetters = topics('write').filter(isDeadLetters);
    const groups = own.filter((entry) => entry.resourceType === 'group' && entry.operation === 'read');
    const describes = own.filter((entry) => entry.operation === 'describe');
    return `| \`${shown(principal)}\` | ${names(writes)} | ${names(topics('read'))} | ${names(deadLetters)} | ${names(groups)} | ${names(describes)} |`;
  });
  return ['| principal | WRITE (produce) | READ (consume) | WRITE dead letters | READ groups | DESCRIBE |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

describe('the ACL table of docs/reliability.md', () => {
  it('gives each principal CREATE and DescribeConfigs on exactly the topics it reads or writes, as the table says', () => {
    for (const principal of PRINCIPALS) {
      const own = plan.filter((entry) => entry.principal === principal && entry.resourceType === 'topic');
      const used = new Set(own.filter((entry) => entry.operation === 'read' || entry.operation === 'write').map(resource));
      expect({ principal, create: new Set(own.filter((entry) => entry.operation === 'create').map(resource)) }).toEqual({ principal, create: used });
      expect({ principal, describeConfigs: new Set(own.filter((entry) => entry.operation === 'describe_configs').map(resource)) }).toEqual({ principal, describeConfigs: used });
    }
  });

  it('is the rendering of kafkaAclPlan()', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../../docs/reliability.md'), 'utf8');
    const table = aclTable();
    if (!doc.includes(table)) throw new Error(`docs/reliability.md does not hold the ACL table of kafkaAclPlan(); paste this:\n\n${table}\n`);
  });
});
