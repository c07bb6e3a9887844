/**
 * The chat commands, typed at the prompt or read from a script: a line starting with `/` is a
 * command, anything else is a message to the open conversation. Parsing is pure (no I/O), so the
 * grammar is tested on its own.
 */

export type WaitCondition =
  | { kind: 'message'; text: string }
  | { kind: 'typing'; username: string }
  | { kind: 'delivered' | 'read'; username?: string }
  | { kind: 'announcement'; text: string }
  | { kind: 'conversation'; name: string }
  | { kind: 'removed'; username: string }
  | { kind: 'online' };

export type ChatCommand =
  | { kind: 'send'; text: string }
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'open'; target: string }
  | { kind: 'history'; count: number }
  | { kind: 'group'; title: string; usernames: string[] }
  | { kind: 'add'; usernames: string[] }
  | { kind: 'remove'; username: string }
  | { kind: 'leave' }
  | { kind: 'rename'; title: string }
  | { kind: 'members' }
  | { kind: 'typing'; active: boolean }
  | { kind: 'announce'; text: string; expiresInSeconds?: number }
  | { kind: 'wait'; condition: WaitCondition; timeoutMs?: number }
  | { kind: 'whoami' }
  | { kind: 'logout' }
  | { kind: 'quit' };

/** A line that is no command; the message says what was wrong and how the command is written. */
export class CommandError extends Error {}

export const DEFAULT_HISTORY_PAGE = 20;
const MAX_HISTORY_PAGE = 100;

interface CommandHelp {
  usage: string;
  does: string;
}

/** `/help`, in the order people need the commands. */
export const COMMAND_HELP: readonly CommandHelp[] = [
  { usage: '<text>', does: 'send a message to the open conversation' },
  { usage: '/list', does: 'your conversations: number, name, unread count, last message' },
  { usage: '/open <number|username|group title>', does: 'open a conversation (a username opens or starts a direct chat)' },
  { usage: '/history [n]', does: `load n older messages of the open conversation (default ${DEFAULT_HISTORY_PAGE})` },
  { usage: '/group "<title>" <username>...', does: 'create a group with these members and open it' },
  { usage: '/add <username>...', does: 'add members to the open group' },
  { usage: '/remove <username>', does: 'remove a member from the open group' },
  { usage: '/leave', does: 'leave the open group' },
  { usage: '/rename "<title>"', does: 'rename the open group' },
  { usage: '/members', does: 'members of the open conversation and their roles' },
  { usage: '/typing [on|off]', does: 'tell the open conversation you are typing (the terminal does this as you type)' },
  { usage: '/announce [--expires <seconds>] <text>', does: 'an announcement to every user (administrators only)' },
  { usage: '/wait <condition> [--timeout <seconds>]', does: 'wait until: message <text> | typing <user> | delivered [user] | read [user] | announcement <text> | conversation <name> | removed <user> | online' },
  { usage: '/whoami', does: 'who you are logged in as, and where' },
  { usage: '/logout', does: 'end this session on the server and delete the saved session' },
  { usage: '/quit', does: 'exit (the session is kept; Ctrl-D does the same)' },
  { usage: '/help', does: 'this list' },
];

/** Splits on spaces; "double" or 'single' quotes keep spaces, a backslash escapes the next character. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '\\' && index + 1 < text.length) {
      current += text[++index];
      inToken = true;
    } else if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quote) throw new CommandError(`unterminated ${quote} quote`);
  if (inToken) tokens.push(current);
  return tokens;
}

/**
 * One line as a command; undefined for a blank line or a `#` comment. Text after the command
 * name of /announce and /wait message is taken as typed (spaces kept), like a message.
 */
export function parseCommand(line: string): ChatCommand | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  if (!trimmed.startsWith('/')) return { kind: 'send', text: trimmed };
  // `//text` sends "/text": the way to start a message with a slash.
  if (trimmed.startsWith('//')) return { kind: 'send', text: trimmed.slice(1) };
  const [, name = '', rest = ''] = /^\/(\S*)\s*(.*)$/s.exec(trimmed) ?? [];
  switch (name.toLowerCase()) {
    case 'help':
    case '?':
      return noArguments('help', rest);
    case 'list':
    case 'ls':
      return noArguments('list', rest);
    case 'open': {
      const target = singleArgument('/open <number|username|group title>', rest);
      return { kind: 'open', target };
    }
    case 'history':
      return { kind: 'history', count: historyCount(rest) };
    case 'group': {
      const [title, ...usernames] = tokenize(rest);
      if (!title || usernames.length === 0) throw new CommandError('usage: /group "<title>" <username>... (at least one other member)');
      return { kind: 'group', title, usernames };
    }
    case 'add': {
      const usernames = tokenize(rest);
      if (usernames.length === 0) throw new CommandError('usage: /add <username>...');
      return { kind: 'add', usernames };
    }
    case 'remove':
    case 'kick':
      return { kind: 'remove', username: singleArgument('/remove <username>', rest) };
    case 'leave':
      return noArguments('leave', rest);
    case 'rename':
      return { kind: 'rename', title: singleArgument('/rename "<title>"', rest) };
    case 'members':
      return noArguments('members', rest);
    case 'typing':
      return { kind: 'typing', active: typingSwitch(rest) };
    case 'announce':
      return parseAnnounce(rest);
    case 'wait':
      return parseWait(rest);
    case 'whoami':
    case 'me':
      return noArguments('whoami', rest);
    case 'logout':
      return noArguments('logout', rest);
    case 'quit':
    case 'exit':
      return noArguments('quit', rest);
    default:
      throw new CommandError(`unknown command /${name} (/help lists the commands; start a message with // to send a slash)`);
  }
}

function noArguments<K extends 'help' | 'list' | 'leave' | 'members' | 'whoami' | 'logout' | 'quit'>(kind: K, rest: string): { kind: K } {
  if (rest !== '') throw new CommandError(`/${kind} takes no arguments`);
  return { kind };
}

/** One argument, quoted or not: `/open Weekend trip` and `/open "Weekend trip"` both name the group. */
function singleArgument(usage: string, rest: string): string {
  const tokens = tokenize(rest);
  const value = tokens.length === 1 ? tokens[0] : rest.trim();
  if (!value) throw new CommandError(`usage: ${usage}`);
  return value;
}

function historyCount(rest: string): number {
  if (rest === '') return DEFAULT_HISTORY_PAGE;
  const count = Number(rest);
  if (!Number.isInteger(count) || count < 1 || count > MAX_HISTORY_PAGE) throw new CommandError(`usage: /history [n], n a whole number from 1 to ${MAX_HISTORY_PAGE} (got ${rest})`);
  return count;
}

function typingSwitch(rest: string): boolean {
  switch (rest.toLowerCase()) {
    case '':
    case 'on':
      return true;
    case 'off':
      return false;
    default:
      throw new CommandError(`usage: /typing [on|off] (got ${rest})`);
  }
}

/** `--name value` options in front of free text; returns the options and the text as typed. */
function leadingOptions(rest: string, allowed: readonly string[]): { options: Map<string, string>; text: string } {
  const options = new Map<string, string>();
  let text = rest;
  for (;;) {
    const match = /^--([a-z-]+)(?:=|\s+)(\S+)\s*/.exec(text);
    if (!match) break;
    const [whole, name = '', value = ''] = match;
    if (!allowed.includes(name)) throw new CommandError(`unknown option --${name} (allowed: ${allowed.map((option) => `--${option}`).join(', ')})`);
    options.set(name, value);
    text = text.slice(whole.length);
  }
  // A known option at the end (`/wait read --timeout 5`); anything else there is part of the text.
  const trailing = /\s+--([a-z-]+)(?:=|\s+)(\S+)\s*$/.exec(` ${text}`);
  if (trailing && allowed.includes(trailing[1] ?? '')) {
    const [whole, name = '', value = ''] = trailing;
    options.set(name, value);
    text = ` ${text}`.slice(0, -whole.length).trim();
  }
  return { options, text: text.trim() };
}

function positiveSeconds(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CommandError(`--${option} takes a number of seconds above 0 (got ${value})`);
  return seconds;
}

function parseAnnounce(rest: string): ChatCommand {
  const { options, text } = leadingOptions(rest, ['expires']);
  if (text === '') throw new CommandError('usage: /announce [--expires <seconds>] <text>');
  const expires = positiveSeconds('expires', options.get('expires'));
  if (expires !== undefined && !Number.isInteger(expires)) throw new CommandError(`--expires takes whole seconds (got ${options.get('expires')})`);
  return expires === undefined ? { kind: 'announce', text } : { kind: 'announce', text, expiresInSeconds: expires };
}

const WAIT_USAGE = 'usage: /wait message <text> | typing <user> | delivered [user] | read [user] | announcement <text> | conversation <name> | removed <user> | online, then optionally --timeout <seconds>';

function parseWait(rest: string): ChatCommand {
  const { options, text } = leadingOptions(rest, ['timeout']);
  const timeoutSeconds = positiveSeconds('timeout', options.get('timeout'));
  const [, what = '', argument = ''] = /^(\S*)\s*(.*)$/s.exec(text) ?? [];
  const withTimeout = (condition: WaitCondition): ChatCommand =>
    timeoutSeconds === undefined ? { kind: 'wait', condition } : { kind: 'wait', condition, timeoutMs: Math.round(timeoutSeconds * 1000) };
  const required = (label: string): string => {
    if (argument === '') throw new CommandError(`usage: /wait ${what} <${label}>`);
    return argument;
  };
  switch (what.toLowerCase()) {
    case 'message':
      return withTimeout({ kind: 'message', text: required('text') });
    case 'announcement':
      return withTimeout({ kind: 'announcement', text: required('text') });
    case 'typing':
      return withTimeout({ kind: 'typing', username: singleArgument('/wait typing <user>', argument) });
    case 'removed':
      return withTimeout({ kind: 'removed', username: singleArgument('/wait removed <user>', argument) });
    case 'conversation':
      return withTimeout({ kind: 'conversation', name: singleArgument('/wait conversation <name>', argument) });
    case 'delivered':
    case 'read': {
      const kind = what.toLowerCase() as 'delivered' | 'read';
      return withTimeout(argument === '' ? { kind } : { kind, username: singleArgument(`/wait ${kind} [user]`, argument) });
    }
    case 'online':
      if (argument !== '') throw new CommandError('/wait online takes no argument');
      return withTimeout({ kind: 'online' });
    default:
      throw new CommandError(what === '' ? WAIT_USAGE : `unknown wait condition "${what}"; ${WAIT_USAGE}`);
  }
}
