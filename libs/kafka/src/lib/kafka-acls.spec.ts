import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type AclEntry as KafkaJsAclEntry } from 'kafkajs';
import { aclsOf } from '@chat/protocol';
import { describeKafkaJsAcl, toKafkaJsAcls } from './kafka-acls';

describe('toKafkaJsAcls', () => {
  it('turns the plan into ALLOW entries for User:<service> from any host', () => {
    const acls = toKafkaJsAcls(aclsOf('gateway-gw-1'));
    expect(acls).toContainEqual({
      principal: 'User:gateway-gw-1',
      host: '*',
      operation: AclOperationTypes.WRITE,
      permissionType: AclPermissionTypes.ALLOW,
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'chat.commands',
      resourcePatternType: ResourcePatternTypes.LITERAL,
    });
    expect(acls).toContainEqual(expect.objectContaining({ resourceType: AclResourceTypes.GROUP, resourceName: 'gateway.gw-1', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.READ }));
    expect(acls.every((acl) => acl.permissionType === AclPermissionTypes.ALLOW)).toBe(true);
  });
});

describe('describeKafkaJsAcl', () => {
  it('names the enums of an ACL in words', () => {
    const [acl] = toKafkaJsAcls([{ principal: 'router', resourceType: 'topic', patternType: 'prefixed', resourceName: 'chat.delivery.', operation: 'describe_configs' }]);
    expect(describeKafkaJsAcl(acl as KafkaJsAclEntry)).toEqual({
      principal: 'User:router',
      host: '*',
      permission: 'ALLOW',
      operation: 'DESCRIBE_CONFIGS',
      resourceType: 'topic',
      patternType: 'PREFIXED',
      resourceName: 'chat.delivery.',
    });
  });
});
