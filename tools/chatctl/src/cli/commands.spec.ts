import { DEFAULT_DLQ_LIMIT, DEFAULT_TIMEOUT_MS, parseDuration, parseInvocation, UsageError } from './commands';

const commandOf = (...args: string[]) => parseInvocation(args).command;

describe('parseInvocation', () => {
  it('reads every command with its arguments and defaults', () => {
    expect(commandOf('dlq', 'list')).toEqual({ kind: 'dlq-list', sourceTopic: undefined, limit: DEFAULT_DLQ_LIMIT });
    expect(commandOf('dlq', 'list', '--topic', 'chat.commands', '--limit', '5')).toEqual({ kind: 'dlq-list', sourceTopic: 'chat.commands', limit: 5 });
    expect(commandOf('dlq', 'inspect', 'chat.commands', '0:17')).toEqual({ kind: 'dlq-inspect', sourceTopic: 'chat.commands', position: { partition: 0, offset: 17n } });
    expect(commandOf('dlq', 'replay', 'chat.commands', '--offset', '0:1', '--offset=0:3', '--offset', '0:1')).toEqual({
      kind: 'dlq-replay',
      sourceTopic: 'chat.commands',
      positions: [{ partition: 0, offset: 1n }, { partition: 0, offset: 3n }],
      force: false,
    });
    expect(commandOf('dlq', 'replay', 'chat.commands', '--all', '--force')).toEqual({ kind: 'dlq-replay', sourceTopic: 'chat.commands', positions: 'all', force: true });
    expect(commandOf('user', 'disable', 'Alice')).toEqual({ kind: 'user', action: 'disable', username: 'Alice' });
    expect(commandOf('user', 'revoke-sessions', 'bob')).toEqual({ kind: 'user', action: 'revoke_sessions', username: 'bob' });
    expect(commandOf('user', 'grant-admin', 'bob')).toMatchObject({ action: 'grant_admin' });
    expect(commandOf('user', 'revoke-admin', 'bob')).toMatchObject({ action: 'revoke_admin' });
    expect(commandOf('user', 'enable', 'bob')).toMatchObject({ action: 'enable' });
    expect(commandOf('announce', 'Maintenance at 22:00')).toEqual({ kind: 'announce', text: 'Maintenance at 22:00', expiresInSeconds: 86_400 });
    expect(commandOf('announce', 'soon', '--expires-in', '2h')).toEqual({ kind: 'announce', text: 'soon', expiresInSeconds: 7_200 });
    expect(commandOf('lag')).toEqual({ kind: 'lag', group: undefined });
    expect(commandOf('lag', '--group', 'router')).toEqual({ kind: 'lag', group: 'router' });
    expect(commandOf('acls', 'print')).toEqual({ kind: 'acls-print', bootstrapServer: undefined, commandConfig: undefined });
    expect(commandOf('acls', 'print', '--bootstrap-server', 'kafka-0.kafka:9093,kafka-1.kafka:9093', '--command-config', '/etc/kafka/admin.properties')).toEqual({
      kind: 'acls-print',
      bootstrapServer: 'kafka-0.kafka:9093,kafka-1.kafka:9093',
      commandConfig: '/etc/kafka/admin.properties',
    });
    expect(commandOf('acls', 'apply')).toEqual({ kind: 'acls-apply', prune: false });
    expect(commandOf('acls', 'apply', '--prune', '--json')).toEqual({ kind: 'acls-apply', prune: true });
    expect(commandOf('acls', 'apply', '--gateway-ids', 'gateway-0,gateway-1,gateway-0', '--prune')).toEqual({ kind: 'acls-apply', prune: true, gatewayIds: ['gateway-0', 'gateway-1'] });
    expect(commandOf('acls', 'print', '--gateway-ids', 'gw-a')).toEqual({ kind: 'acls-print', bootstrapServer: undefined, commandConfig: undefined, gatewayIds: ['gw-a'] });
    // A delivery topic's dead letters are in the shared chat.deliveries.dlq; chatctl takes the delivery topic.
    expect(commandOf('dlq', 'inspect', 'chat.delivery.gw-1', '0:4')).toEqual({ kind: 'dlq-inspect', sourceTopic: 'chat.delivery.gw-1', position: { partition: 0, offset: 4n } });
    expect(commandOf('dlq', 'list', '--topic', 'chat.delivery.gw-1')).toMatchObject({ sourceTopic: 'chat.delivery.gw-1' });
  });

  it('takes --json, --timeout and --verbose with every command, and shows help without a command', () => {
    expect(parseInvocation(['lag', '--json', '--timeout', '5s', '--verbose'])).toEqual({ command: { kind: 'lag', group: undefined }, json: true, timeoutMs: 5_000, verbose: true });
    expect(parseInvocation(['lag']).timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(commandOf()).toEqual({ kind: 'help' });
    expect(commandOf('dlq', 'list', '--help')).toEqual({ kind: 'help' });
    expect(commandOf('-h')).toEqual({ kind: 'help' });
  });

  it.each([
    [['nope'], 'unknown command nope (dlq, user, announce, lag, acls; --help lists them)'],
    [['acls'], 'acls needs a subcommand: print or apply'],
    [['acls', 'create'], 'unknown acls subcommand create (print, apply)'],
    [['acls', 'print', 'gateway'], 'acls print takes no arguments; unexpected "gateway"'],
    [['acls', 'print', '--prune'], '--prune is not an option of acls print'],
    [['acls', 'apply', '--bootstrap-server', 'kafka:9093'], '--bootstrap-server is not an option of acls apply'],
    [['acls', 'print', '--bootstrap-server', 'kafka'], '--bootstrap-server needs host:port[,host:port…], got "kafka"'],
    [['acls', 'print', '--bootstrap-server', 'kafka:9093;rm'], '--bootstrap-server needs host:port[,host:port…], got "kafka:9093;rm"'],
    [['acls', 'print', '--command-config', 'my file'], '--command-config needs a file path of A-Z a-z 0-9 . _ / ~ -, got "my file"'],
    [['acls', 'apply', '--gateway-ids', 'gateway-0,Gateway_1'], '--gateway-ids needs gateway ids (INSTANCE_IDs: 1-60 characters of a-z, 0-9 and -) separated by commas, got "Gateway_1"'],
    [['acls', 'print', '--gateway-ids', ''], '--gateway-ids needs gateway ids (INSTANCE_IDs: 1-60 characters of a-z, 0-9 and -) separated by commas, got ""'],
    [['dlq', 'list', '--topic', 'chat.deliveries.dlq'], "--topic: chat.deliveries.dlq holds the dead letters of every gateway's delivery topic: name one, chat.delivery.<gatewayId> (dlq list shows each dead letter's source)"],
    [['dlq', 'replay', 'chat.deliveries', '--all'], "<source-topic>: chat.deliveries.dlq holds the dead letters of every gateway's delivery topic: name one, chat.delivery.<gatewayId> (dlq list shows each dead letter's source)"],
    [['dlq'], 'dlq needs a subcommand: list, inspect or replay'],
    [['dlq', 'purge'], 'unknown dlq subcommand purge (list, inspect, replay)'],
    [['dlq', 'list', '--bogus'], 'unknown option --bogus'],
    [['dlq', 'list', '--force'], '--force is not an option of dlq list'],
    [['dlq', 'list', '--limit', '0'], '--limit needs an integer ≥ 1, got 0'],
    [['dlq', 'list', '--topic', 'chat.commands.dlq'], '--topic names the source topic, not its dead-letter topic: chat.commands'],
    [['dlq', 'inspect', 'chat.commands'], 'dlq inspect needs <partition>:<offset>'],
    [['dlq', 'inspect', 'chat.commands', '17'], '<partition>:<offset> needs <partition>:<offset>, e.g. 0:17, got "17"'],
    [['dlq', 'inspect', 'chat commands', '0:1'], '<source-topic> "chat commands" is not a topic name'],
    [['dlq', 'replay', 'chat.commands'], 'dlq replay needs --offset <partition>:<offset> (one or more) or --all'],
    [['dlq', 'replay', 'chat.commands', '--all', '--offset', '0:1'], '--all and --offset exclude each other'],
    [['dlq', 'replay', 'chat.commands', '--offset', 'x'], '--offset needs <partition>:<offset>, e.g. 0:17, got "x"'],
    [['user'], 'user needs an action: disable, enable, revoke-sessions, grant-admin, revoke-admin'],
    [['user', 'delete', 'bob'], 'unknown user action delete (disable, enable, revoke-sessions, grant-admin, revoke-admin)'],
    [['user', 'disable'], 'user disable needs <username>'],
    [['user', 'disable', 'a b'], '<username> "a b" is not a username (3-32 characters of A-Z, a-z, 0-9, _, . and -)'],
    [['user', 'disable', 'bob', 'carol'], 'user disable takes <username>; unexpected "carol"'],
    [['announce'], 'announce needs <text>'],
    [['announce', '   '], '<text>: must not be empty or whitespace only'],
    [['announce', 'hi', '--expires-in', '10s'], '--expires-in must be between 1m and 30d, got 10s'],
    [['announce', 'hi', '--expires-in', 'soon'], '--expires-in needs a duration like 90s, 30m, 2h or 7d, got "soon"'],
    [['lag', 'router'], 'lag takes no arguments; unexpected "router"'],
    [['lag', '--timeout', '10ms'], '--timeout must be at least 1s, got 10ms'],
    [['lag', '--group'], '--group needs a value'],
  ])('%j: %s', (args, message) => {
    expect(() => parseInvocation(args)).toThrow(new UsageError(message));
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration('--x', text)).toBe(ms);
  });
});
