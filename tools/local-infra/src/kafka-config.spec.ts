import { newClusterId, renderClientProperties, renderServerProperties } from './kafka-config';

/** Minimal .properties reader (key=value lines, `\\` unescaped) to check what Kafka would see. */
function parse(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1).replace(/\\(.)/g, '$1')] as [string, string];
    });
  return new Map(entries);
}

describe('renderServerProperties', () => {
  it('renders a single-node KRaft broker+controller on loopback', () => {
    const props = parse(renderServerProperties({ port: 19092, controllerPort: 19093, logDir: '/data/kafka/kraft-logs' }));
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('inter.broker.listener.name')).toBe('PLAINTEXT');
    expect(props.get('log.dirs')).toBe('/data/kafka/kraft-logs');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('auto.create.topics.enable')).toBe('false');
  });

  it('keeps node id, voter and listeners consistent for another node id and host', () => {
    const props = parse(
      renderServerProperties({ port: 1, controllerPort: 2, logDir: '/x', nodeId: 7, host: '10.0.0.5' }),
    );
    expect(props.get('controller.quorum.voters')).toBe('7@10.0.0.5:2');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://10.0.0.5:1');
  });

  it('lets overrides replace defaults and add properties', () => {
    const props = parse(
      renderServerProperties({
        port: 1,
        controllerPort: 2,
        logDir: '/x',
        overrides: { 'auto.create.topics.enable': true, 'log.retention.ms': 60000 },
      }),
    );
    expect(props.get('auto.create.topics.enable')).toBe('true');
    expect(props.get('log.retention.ms')).toBe('60000');
  });

  it('escapes backslashes so Windows paths survive the properties format', () => {
    const text = renderServerProperties({ port: 1, controllerPort: 2, logDir: 'C:\\kafka\\data' });
    expect(text).toContain('log.dirs=C:\\\\kafka\\\\data\n');
    expect(parse(text).get('log.dirs')).toBe('C:\\kafka\\data');
  });
});

describe('renderServerProperties with security', () => {
  const security = { keystoreFile: '/tls/broker-keystore.pem', caFile: '/tls/ca.pem', adminPassword: 'adminpw', controllerPassword: 'ctrlpw' };
  const props = parse(renderServerProperties({ port: 9092, controllerPort: 9093, logDir: '/data', security }));

  it('listens SASL_SSL for clients and SASL/PLAIN on the loopback controller listener', () => {
    expect(props.get('listeners')).toBe('SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('SASL_SSL://127.0.0.1:9092');
    expect(props.get('listener.security.protocol.map')).toBe('SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT');
    expect(props.get('inter.broker.listener.name')).toBe('SASL_SSL');
    expect(props.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
    expect(props.get('listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config')).toContain('username="admin" password="adminpw"');
    expect(props.get('listener.name.controller.plain.sasl.jaas.config')).toContain('user_controller="ctrlpw"');
    expect(props.get('ssl.keystore.type')).toBe('PEM');
    expect(props.get('ssl.keystore.location')).toBe('/tls/broker-keystore.pem');
    expect(props.get('ssl.truststore.location')).toBe('/tls/ca.pem');
  });

  it('enforces ACLs with the KRaft StandardAuthorizer, denying what no ACL allows', () => {
    expect(props.get('authorizer.class.name')).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(props.get('super.users')).toBe('User:admin;User:controller');
    expect(props.get('allow.everyone.if.no.acl.found')).toBe('false');
  });
});

describe('newClusterId', () => {
  it('is a 22-character base64url id like kafka-storage random-uuid prints', () => {
    expect(newClusterId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('never starts with "-", which Kafka rejects', () => {
    const dashFirst = Buffer.alloc(16, 0xff); // base64url "_____…"; 0xf8 leads with "-"
    dashFirst[0] = 0xf8;
    const draws = [dashFirst, Buffer.alloc(16, 1)];
    const id = newClusterId(() => draws.shift() as Buffer);
    expect(Buffer.from(dashFirst).toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(Buffer.alloc(16, 1).toString('base64url'));
  });
});

describe('renderClientProperties', () => {
  it("logs Kafka's tools in with SCRAM over TLS, trusting the given CA (Windows paths escaped)", () => {
    expect(renderClientProperties('admin', 's3cret', 'C:\\kafka\\ca.pem')).toBe(
      [
        'security.protocol=SASL_SSL',
        'sasl.mechanism=SCRAM-SHA-512',
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="s3cret";',
        'ssl.truststore.type=PEM',
        'ssl.truststore.location=C:\\\\kafka\\\\ca.pem',
        '',
      ].join('\n'),
    );
  });
});
