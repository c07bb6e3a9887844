import { Logger, type LoggerService } from '@nestjs/common';
import { describeError } from '@chat/helpers';
import { Topics, type TopicSpec } from '@chat/protocol';
import { ConfigError } from '@chat/service-kit';
import { applyAcls, printAcls } from '../acls/acl-commands';
import { announce, ANNOUNCE_TOPICS } from '../announce/announce-command';
import { loadChatctlConfig } from '../config';
import { inspectDeadLetter, listDeadLetters, operatorName, replayDeadLetters } from '../dlq/dlq-commands';
import { CommandFailed, Cluster } from '../kafka/cluster';
import { lagReport, readLag } from '../lag/consumer-lag';
import { runUserCommand } from '../users/user-commands';
import { parseInvocation, USAGE, UsageError, type Command } from './commands';
import type { Report } from './output';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Streams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processStreams: Streams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs one command line; resolves with the exit status. Never throws. */
export async function runChatctl(args: readonly string[], env: NodeJS.ProcessEnv = process.env, streams: Streams = processStreams): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr(`chatctl: ${error.message}\n(chatctl --help lists the commands)\n`);
    return EXIT_USAGE;
  }
  const { command, json, timeoutMs, verbose } = invocation;
  if (command.kind === 'help') {
    streams.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (command.kind === 'acls-print') {
    // The plan needs no cluster: nothing is read from the environment, nothing connects.
    const report = printAcls(command);
    streams.stdout(json ? `${JSON.stringify(report.json, null, 2)}\n` : `${report.text}\n`);
    return EXIT_OK;
  }
  // libs/kafka logs through Nest's logger: only to stderr, and only when asked, so stdout stays the command's output.
  Logger.overrideLogger(verbose ? stderrLogger(streams) : false);

  let config;
  try {
    config = loadChatctlConfig(env, timeoutMs);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    streams.stderr(`chatctl: ${error.message}\n`);
    return EXIT_FAILED;
  }
  const cluster = new Cluster(config, topicsFor(command));
  try {
    await cluster.connect();
    const report = await execute(cluster, command, timeoutMs);
    if (json) streams.stdout(`${JSON.stringify(report.json, null, 2)}\n`);
    if (report.ok) {
      if (!json) streams.stdout(`${report.text}\n`);
      return EXIT_OK;
    }
    streams.stderr(`chatctl: ${report.text}\n`);
    return EXIT_FAILED;
  } catch (error) {
    const message = error instanceof CommandFailed ? error.message : `${describeCommand(command)} failed: ${describeError(error)}`;
    if (json) streams.stdout(`${JSON.stringify({ error: message }, null, 2)}\n`);
    streams.stderr(`chatctl: ${message}\n`);
    return EXIT_FAILED;
  } finally {
    await cluster.close().catch(() => undefined);
  }
}

function execute(cluster: Cluster, command: Exclude<Command, { kind: 'help' | 'acls-print' }>, timeoutMs: number): Promise<Report> {
  switch (command.kind) {
    case 'dlq-list':
      return listDeadLetters(cluster, { sourceTopic: command.sourceTopic, limit: command.limit });
    case 'dlq-inspect':
      return inspectDeadLetter(cluster, command.sourceTopic, command.position);
    case 'dlq-replay':
      return replayDeadLetters(cluster, { sourceTopic: command.sourceTopic, positions: command.positions, force: command.force });
    case 'user':
      return runUserCommand(cluster, { action: command.action, username: command.username, requestedBy: operatorName(), timeoutMs });
    case 'announce':
      return announce(cluster, { text: command.text, expiresInSeconds: command.expiresInSeconds, timeoutMs });
    case 'lag':
      return readLag(cluster.admin, command.group).then(lagReport);
    case 'acls-apply':
      return applyAcls(cluster.admin, { prune: command.prune, gatewayIds: command.gatewayIds });
  }
}

/** Topics a command writes to, created when missing as the services create theirs; reading creates nothing. */
function topicsFor(command: Command): TopicSpec[] {
  switch (command.kind) {
    case 'dlq-replay':
      return [Topics.dlqReplays];
    case 'user':
      return [Topics.userAdmin, Topics.userAdminResults];
    case 'announce':
      return ANNOUNCE_TOPICS;
    default:
      return [];
  }
}

function describeCommand(command: Command): string {
  switch (command.kind) {
    case 'dlq-list':
      return 'dlq list';
    case 'dlq-inspect':
      return `dlq inspect ${command.sourceTopic}`;
    case 'dlq-replay':
      return `dlq replay ${command.sourceTopic}`;
    case 'user':
      return `user ${command.action} ${command.username}`;
    case 'announce':
      return 'announce';
    case 'lag':
      return 'lag';
    case 'acls-print':
      return 'acls print';
    case 'acls-apply':
      return 'acls apply';
    case 'help':
      return 'help';
  }
}

function stderrLogger(streams: Streams): LoggerService {
  const write = (level: string) => (message: unknown, context?: unknown) => streams.stderr(`[${level}] ${context ? `${String(context)}: ` : ''}${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  return { log: write('info'), error: write('error'), warn: write('warn'), debug: write('debug'), verbose: write('verbose') };
}
