import type { CliEvent, ConversationInfo } from './events';

/** ANSI styles for a terminal; `plainStyle` for pipes, files and NO_COLOR. */
export interface Style {
  dim(text: string): string;
  bold(text: string): string;
  accent(text: string): string;
  warn(text: string): string;
  error(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
export const colorStyle: Style = { dim: ansi(2, 22), bold: ansi(1, 22), accent: ansi(36, 39), warn: ansi(33, 39), error: ansi(31, 39) };
const same = (text: string) => text;
export const plainStyle: Style = { dim: same, bold: same, accent: same, warn: same, error: same };

export const SENT = '✓';
export const DELIVERED = '✓✓';

/** `hh:mm` in local time. */
export function clock(at: number): string {
  const date = new Date(at);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** `#3` or `#3, #4 and #5`: the messages a receipt covers. */
export function seqList(seqs: readonly number[]): string {
  const items = seqs.map((seq) => `#${seq}`);
  if (items.length <= 1) return items.join('');
  if (items.length > 4) return `#${seqs[0]}–#${seqs.at(-1)}`;
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** `bob is typing…`, `bob and carol are typing…`, `3 people are typing…`. */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The numbered conversation list of /list. */
export function conversationTable(items: readonly ConversationInfo[], style: Style): string {
  if (items.length === 0) return style.dim('no conversations yet: /open <username> starts one, /group "<title>" <username>... makes a group');
  const width = Math.min(24, Math.max(...items.map((item) => item.name.length + (item.kind === 'group' ? 2 : 0))));
  return items
    .map((item, index) => {
      const number = `${index + 1}.`.padStart(String(items.length).length + 1);
      const name = (item.kind === 'group' ? `# ${item.name}` : item.name).padEnd(width);
      const unread = item.unread > 0 ? style.bold(`(${item.unread} unread)`) : '';
      const last = item.lastMessage ? style.dim(`${item.lastMessage.from}: ${oneLine(item.lastMessage.body, 48)}`) : style.dim(item.lastSeq === 0 ? 'no messages yet' : '');
      return [number, name, unread, last].filter((part) => part !== '').join('  ');
    })
    .join('\n');
}

/** The lines of one event for people; undefined when a person need not see it (the JSON keeps it). */
export function renderEvent(event: CliEvent, style: Style): string | undefined {
  switch (event.event) {
    case 'ready':
      return event.reconnected
        ? style.accent('back online')
        : `${style.bold(`logged in as ${event.username}`)} ${style.dim(`(${event.conversations} conversation${event.conversations === 1 ? '' : 's'}; /list shows them, /help lists the commands)`)}`;
    case 'state':
      switch (event.state) {
        case 'reconnecting':
          if (event.firstConnect) return style.dim(`cannot connect yet${event.closeCode ? ` (${event.closeCode})` : ''}; trying again (attempt ${event.attempt ?? 1})…`);
          return style.warn(`connection lost${event.closeCode ? ` (${event.closeCode}${event.reason ? ` ${event.reason}` : ''})` : ''}; reconnecting… (attempt ${event.attempt ?? 1}${event.delayMs === undefined ? '' : `, in ${(event.delayMs / 1000).toFixed(1)} s`})`);
        case 'closed':
          return style.error(`disconnected${event.reason ? `: ${event.reason}` : ''}`);
        default:
          return undefined;
      }
    case 'conversations':
      return conversationTable(event.items, style);
    case 'conversation': {
      const label = event.kind === 'group' ? `group ${event.name}` : event.name;
      switch (event.action) {
        case 'opened':
          return style.bold(`── ${label} ──`) + style.dim(event.kind === 'group' ? ` ${event.members.length} members` : '');
        case 'created':
          return style.bold(`── created ${label} ──`) + style.dim(` with ${event.members.join(', ')}`);
        case 'updated':
          return style.dim(`${label}: ${event.members.join(', ')}`);
        case 'closed':
          return style.dim(`closed ${label}`);
      }
      return undefined;
    }
    case 'message': {
      const who = event.mine ? 'you' : event.from;
      const where = event.open ? '' : style.accent(`[${event.conversation}] `);
      const marker = event.open || event.history ? '' : style.accent('● ');
      return `${marker}${style.dim(clock(event.sentAt))} ${where}${style.bold(who)}: ${event.body}${event.mine && event.history ? style.dim(` ${SENT}`) : ''}`;
    }
    case 'history':
      if (event.count === 0) return style.dim(event.older ? 'no older messages' : 'no messages yet');
      return style.dim(`${event.older ? 'loaded' : 'last'} ${event.count} message${event.count === 1 ? '' : 's'}${event.hasMore ? ' (/history for older ones)' : ''}`);
    case 'sent':
      return style.dim(`  ${SENT} sent #${event.seq}`);
    case 'receipt': {
      if (event.covers.length === 0) return undefined;
      const text = event.status === 'read' ? `  ${DELIVERED} read by ${event.user} (${seqList(event.covers)})` : `  ${DELIVERED} delivered to ${event.user} (${seqList(event.covers)})`;
      return event.status === 'read' ? style.accent(text) : style.dim(text);
    }
    case 'typing':
      // The terminal shows typing in its prompt; as a line only when it starts.
      return event.active ? style.dim(`${event.conversation === event.user ? '' : `[${event.conversation}] `}${typingLine([event.user])}`) : undefined;
    case 'member': {
      const users = event.users.join(', ');
      if (event.change === 'added') return style.dim(`[${event.conversation}] ${event.by} added ${users}`);
      return style.dim(`[${event.conversation}] ${event.by === event.users[0] ? `${users} left` : `${event.by} removed ${users}`}`);
    }
    case 'announcement':
      return style.warn(`📢 announcement from ${event.from}: ${event.body}`);
    case 'members':
      return event.members.map((member) => `  ${member.username}${member.role === 'member' || member.role === 'direct' ? '' : style.dim(` (${member.role})`)}`).join('\n');
    case 'info':
      return event.text;
    case 'waited':
      return undefined;
    case 'error':
      return style.error(`error: ${event.message}`);
  }
}
