import type { Admin } from 'kafkajs';
import { isServicePrincipal, kafkaAclPlan, kafkaAclsCommands, gatewayIdOf, type AclEntry } from '@chat/protocol';
import { applyAclPlan, describeKafkaJsAcl } from '@chat/kafka';
import { count, table, type Report } from '../cli/output';

/*
 * The Kafka ACLs of the services, as libs/protocol's kafkaAclPlan() derives them from who produces
 * and consumes what. `acls print` renders them as Kafka's own kafka-acls.sh commands (for an operator
 * without chatctl, or to review); `acls apply` creates them through the admin API, as the local infra
 * and the e2e suite do (libs/kafka applyAclPlan). Each gateway has its own principal, so the plan
 * holds the gateways named by `--gateway-ids` (their INSTANCE_IDs); without it, none.
 */

/** `acls print`: the plan as kafka-acls.sh commands, one a line (so `| sh` runs them). */
export function printAcls(options: { bootstrapServer?: string; commandConfig?: string; gatewayIds?: readonly string[] }): Report {
  const plan = kafkaAclPlan({ gatewayIds: options.gatewayIds });
  const commands = kafkaAclsCommands(plan, options.bootstrapServer, options.commandConfig);
  return { ok: true, text: commands.join('\n'), json: { acls: plan, commands } };
}

/**
 * `acls apply`: creates the plan's ACLs the broker lacks and says which it created and which it had;
 * lists the services' ACLs that the plan does not hold (an older release's, the retired shared
 * `gateway` principal's, an operator's), which `--prune` deletes. With `--gateway-ids` the gateways'
 * principals are the plan's too: those of gateways not listed count as outside it (a gateway gone
 * for good); without it no `gateway-<id>` ACL is listed or deleted. Idempotent: a second run creates nothing.
 */
export async function applyAcls(admin: Admin, options: { prune: boolean; gatewayIds?: readonly string[] }): Promise<Report> {
  const managesGateways = options.gatewayIds !== undefined;
  const result = await applyAclPlan(admin, kafkaAclPlan({ gatewayIds: options.gatewayIds }), {
    prune: options.prune,
    managesPrincipal: (principal) => isServicePrincipal(principal) && (managesGateways || gatewayIdOf(principal) === undefined),
  });
  const unplanned = result.unplanned.map(describeKafkaJsAcl);
  const headline = `${count(result.created.length, 'ACL')} of the plan created, ${result.existing.length} already there`;
  const sections = [headline];
  if (result.created.length > 0) sections.push(`created:\n${planTable(result.created)}`);
  if (unplanned.length > 0) {
    const rows = unplanned.map((acl) => [acl.principal, acl.permission, acl.operation, acl.resourceType, acl.patternType, acl.resourceName, acl.host]);
    const what = result.pruned ? `${count(unplanned.length, 'ACL')} of the services' principals outside the plan deleted (--prune):` : `${count(unplanned.length, 'ACL')} of the services' principals outside the plan, left alone (--prune deletes them):`;
    sections.push(`${what}\n${table(['principal', 'permission', 'operation', 'resource', 'pattern', 'name', 'host'], rows)}`);
  }
  return {
    ok: true,
    text: sections.join('\n\n'),
    json: { created: result.created, existing: result.existing, unplanned, pruned: result.pruned },
  };
}

function planTable(entries: readonly AclEntry[]): string {
  return table(
    ['principal', 'operation', 'resource', 'pattern', 'name'],
    entries.map((entry) => [`User:${entry.principal}`, entry.operation, entry.resourceType, entry.patternType, entry.resourceName]),
  );
}
