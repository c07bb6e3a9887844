import { kafkaAclPlan, kafkaAclsCommands } from '@chat/protocol';
import { EXIT_FAILED, EXIT_OK, runChatctl } from '../cli/run';
import { printAcls } from './acl-commands';

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runChatctl(args, env, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('acls print', () => {
  it('prints the plan as kafka-acls.sh commands, one a line, with the given broker and admin config', () => {
    const report = printAcls({ bootstrapServer: 'kafka:9093', commandConfig: '/etc/kafka/admin.properties', gatewayIds: ['gateway-0', 'gateway-1'] });
    const lines = report.text.split('\n');
    const plan = kafkaAclPlan({ gatewayIds: ['gateway-0', 'gateway-1'] });
    expect(lines).toEqual(kafkaAclsCommands(plan, 'kafka:9093', '/etc/kafka/admin.properties'));
    expect(lines.every((line) => line.startsWith('kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:'))).toBe(true);
    // Each gateway writes its dead letters into chat.deliveries.dlq and no delivery topic, and reads its own delivery topic alone.
    expect(lines).toContain(
      "kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:gateway-gateway-1 --operation Write --operation Create --operation DescribeConfigs --topic 'chat.deliveries.dlq' --resource-pattern-type LITERAL",
    );
    expect(lines.filter((line) => line.includes('User:gateway') && line.includes("--topic 'chat.delivery."))).toEqual([
      "kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:gateway-gateway-0 --operation Read --operation Create --operation DescribeConfigs --topic 'chat.delivery.gateway-0' --resource-pattern-type LITERAL",
      "kafka-acls.sh --bootstrap-server kafka:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:gateway-gateway-1 --operation Read --operation Create --operation DescribeConfigs --topic 'chat.delivery.gateway-1' --resource-pattern-type LITERAL",
    ]);
    expect(report.json).toEqual({ acls: plan, commands: lines });
    // Without --gateway-ids: the shared services' principals alone.
    expect(printAcls({}).text.split('\n').some((line) => line.includes('User:gateway'))).toBe(false);
  });

  it('needs no Kafka and no environment; with --json prints the plan and the commands', async () => {
    const text = await run(['acls', 'print']);
    expect(text).toEqual({ code: EXIT_OK, stdout: `${kafkaAclsCommands(kafkaAclPlan()).join('\n')}\n`, stderr: '' });
    const json = await run(['acls', 'print', '--json', '--bootstrap-server', 'b:1', '--gateway-ids', 'gw-a,gw-b']);
    expect(json.code).toBe(EXIT_OK);
    const plan = kafkaAclPlan({ gatewayIds: ['gw-a', 'gw-b'] });
    expect(JSON.parse(json.stdout)).toEqual({ acls: plan, commands: kafkaAclsCommands(plan, 'b:1') });
  });

  it('acls apply needs the Kafka environment, and says which variable is missing', async () => {
    const result = await run(['acls', 'apply']);
    expect(result.code).toBe(EXIT_FAILED);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('KAFKA_BROKERS');
  });
});
