import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin, type AclEntry as KafkaJsAclEntry } from 'kafkajs';
import type { AclEntry, AclOperation, AclResourceType } from '@chat/protocol';

const RESOURCE_TYPES: Record<AclResourceType, AclResourceTypes> = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
};

const OPERATIONS: Record<AclOperation, AclOperationTypes> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  describe: AclOperationTypes.DESCRIBE,
  describe_configs: AclOperationTypes.DESCRIBE_CONFIGS,
};

/** The plan's entries (libs/protocol kafka-acls) as kafkajs ALLOW entries for any host. */
export function toKafkaJsAcls(plan: readonly AclEntry[]): KafkaJsAclEntry[] {
  return plan.map(toKafkaJsAcl);
}

function toKafkaJsAcl(entry: AclEntry): KafkaJsAclEntry {
  return {
    principal: `User:${entry.principal}`,
    host: '*',
    operation: OPERATIONS[entry.operation],
    permissionType: AclPermissionTypes.ALLOW,
    resourceType: RESOURCE_TYPES[entry.resourceType],
    resourceName: entry.resourceType === 'cluster' ? 'kafka-cluster' : entry.resourceName,
    resourcePatternType: entry.patternType === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  };
}

/** What applyAclPlan found and did. */
export interface AclPlanApplied {
  /** Entries of the plan the broker did not have: created now. */
  created: AclEntry[];
  /** Entries of the plan the broker already had: left as they are. */
  existing: AclEntry[];
  /**
   * ACLs of the managed principals (the plan's, or `managesPrincipal`'s) that the plan does not hold
   * (an operator's own, one an older release needed, a retired principal's): left alone, unless
   * `prune` deleted them (then `pruned` is true).
   */
  unplanned: KafkaJsAclEntry[];
  pruned: boolean;
}

export interface ApplyAclPlanOptions {
  /** Delete the unplanned ACLs of the managed principals. */
  prune?: boolean;
  /**
   * Which principals (user names, without `User:`) the plan manages; default: those the plan names.
   * A whole cluster's plan passes libs/protocol's isServicePrincipal, so that principals no longer
   * in it (a retired gateway's, the old shared `gateway`) count as unplanned too.
   */
  managesPrincipal?: (principal: string) => boolean;
}

/**
 * Creates the plan's ACLs that the broker lacks, with an admin (super user) connection; idempotent.
 * ACLs outside the plan are reported and left alone, or with `prune` deleted, but only those of the
 * managed principals (never `admin`'s or another user's).
 */
export async function applyAclPlan(admin: Admin, plan: readonly AclEntry[], options: ApplyAclPlanOptions = {}): Promise<AclPlanApplied> {
  const present = await describeAllAcls(admin);
  const presentKeys = new Set(present.map(kafkaJsAclKey));
  const created: AclEntry[] = [];
  const existing: AclEntry[] = [];
  for (const entry of plan) (presentKeys.has(kafkaJsAclKey(toKafkaJsAcl(entry))) ? existing : created).push(entry);
  const acl = toKafkaJsAcls(created);
  // One request per 200 entries keeps each under any request size limit.
  for (let start = 0; start < acl.length; start += 200) await admin.createAcls({ acl: acl.slice(start, start + 200) });

  const planned = new Set(toKafkaJsAcls(plan).map(kafkaJsAclKey));
  const principals = new Set<string>(plan.map((entry) => entry.principal));
  const manages = options.managesPrincipal ?? ((principal: string) => principals.has(principal));
  const unplanned = present.filter((entry) => entry.principal.startsWith('User:') && manages(entry.principal.slice('User:'.length)) && !planned.has(kafkaJsAclKey(entry)));
  const prune = options.prune === true && unplanned.length > 0;
  // Each filter names one ACL exactly (no ANY), so it deletes that one and nothing else.
  if (prune) await admin.deleteAcls({ filters: unplanned });
  return { created, existing, unplanned, pruned: prune };
}

/** Every ACL on the broker (a filter matching anything). */
export async function describeAllAcls(admin: Admin): Promise<KafkaJsAclEntry[]> {
  const response = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return response.resources.flatMap(({ resourceType, resourceName, resourcePatternType, acls }) => acls.map((acl) => ({ ...acl, resourceType, resourceName, resourcePatternType })));
}

function kafkaJsAclKey(entry: KafkaJsAclEntry): string {
  return [entry.principal, entry.host, entry.operation, entry.permissionType, entry.resourceType, entry.resourcePatternType, entry.resourceName].join('|');
}

/** A kafkajs ACL in words (`User:gateway ALLOW WRITE topic PREFIXED chat.delivery.`), for people. */
export function describeKafkaJsAcl(entry: KafkaJsAclEntry): { principal: string; host: string; permission: string; operation: string; resourceType: string; patternType: string; resourceName: string } {
  return {
    principal: entry.principal,
    host: entry.host,
    permission: nameOf(AclPermissionTypes, entry.permissionType),
    operation: nameOf(AclOperationTypes, entry.operation),
    resourceType: nameOf(AclResourceTypes, entry.resourceType).toLowerCase(),
    patternType: nameOf(ResourcePatternTypes, entry.resourcePatternType),
    resourceName: entry.resourceName,
  };
}

function nameOf(values: Record<string, unknown>, value: number): string {
  return Object.entries(values).find(([, candidate]) => candidate === value)?.[0] ?? String(value);
}
