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
  return plan.map((entry) => ({
    principal: `User:${entry.principal}`,
    host: '*',
    operation: OPERATIONS[entry.operation],
    permissionType: AclPermissionTypes.ALLOW,
    resourceType: RESOURCE_TYPES[entry.resourceType],
    resourceName: entry.resourceType === 'cluster' ? 'kafka-cluster' : entry.resourceName,
    resourcePatternType: entry.patternType === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
  }));
}

/**
 * Creates the plan's ACLs with an admin (super user) connection. Idempotent: Kafka keeps one copy of
 * an ACL created twice. ACLs outside the plan are left alone (an operator may have added some).
 */
export async function applyAclPlan(admin: Admin, plan: readonly AclEntry[]): Promise<number> {
  const acl = toKafkaJsAcls(plan);
  // One request per 200 entries keeps each under any request size limit.
  for (let start = 0; start < acl.length; start += 200) await admin.createAcls({ acl: acl.slice(start, start + 200) });
  return acl.length;
}
