import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as limits from '../limits';
import { CloseCodes } from './close-codes';
import { ERROR_CODES } from './error-codes';

/*
 * docs/protocol.md is what client authors read: its close-code, error-code and limit tables must say
 * what libs/wire does. A code added here without a row there (or the other way round) fails.
 */
const protocolDoc = readFileSync(path.resolve(__dirname, '../../../../../docs/protocol.md'), 'utf8');

/** The lines of the section that starts with `heading`, up to the next heading of the same level. */
function section(heading: string): string {
  const start = protocolDoc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/protocol.md has no heading "${heading}"`);
  const rest = protocolDoc.slice(start + heading.length + 2);
  const end = rest.search(/\n## /);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('docs/protocol.md against libs/wire', () => {
  it('lists every close code the gateway uses, with its name and whether to reconnect', () => {
    // Rows like "| 4004 | `session_revoked` | when | no: log in again … |".
    const rows = [...section('## 10. Close codes').matchAll(/^\| (\d{4}) \| `([a-z_]+)` \|[^|]*\| ([^|]+) \|$/gm)];
    const documented = Object.fromEntries(rows.map(([, code, name, reconnect]) => [name, { code: Number(code), reconnect: reconnectWord(reconnect) }]));
    expect(documented).toEqual(Object.fromEntries(Object.entries(CloseCodes).map(([name, { code, reconnect }]) => [name, { code, reconnect }])));
  });

  it('lists exactly the error codes of ErrorCodeList', () => {
    // Rows like "| `not_member` | meaning | sent by | what to do |".
    const documented = [...section('## 11. Error codes').matchAll(/^\| `([a-z_]+)` \|/gm)].map(([, code]) => code);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('gives the protocol limits of limits.ts', () => {
    const table = section('## 9. Limits and flow control');
    const n = (value: number) => value.toLocaleString('en-US');
    const expected = [
      `| message body | 1–${limits.MAX_BODY_CHARS} UTF-16 code units, not blank |`,
      `| group title | 1–${limits.MAX_TITLE_CHARS} UTF-16 code units, not blank |`,
      `| request id (\`id\`) | 1–${limits.MAX_REQUEST_ID_CHARS} characters |`,
      `| \`clientMsgId\` | 1–${limits.MAX_CLIENT_MSG_ID_CHARS} of`,
      `| conversations per \`sync\` / \`synced\` | 1–${limits.MAX_SYNC_CONVERSATIONS} / 0–${limits.MAX_SYNC_CONVERSATIONS} |`,
      `| \`history\` \`limit\` | 1–${limits.MAX_HISTORY_LIMIT}, default ${limits.DEFAULT_HISTORY_LIMIT} |`,
      `| members of a group | ${limits.MAX_GROUP_MEMBERS}, its owner included (\`create_group\` names at most ${limits.MAX_GROUP_MEMBERS - 1} others)`,
      `| users per \`add_members\` | ${limits.MAX_ADD_MEMBERS} |`,
      `| \`announce\` \`expiresInSeconds\` | ${limits.MIN_ANNOUNCEMENT_EXPIRY_SECONDS} – ${n(limits.MAX_ANNOUNCEMENT_EXPIRY_SECONDS)} (30 days), default ${n(limits.DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS)} (1 day) |`,
      `| conversations per \`conversations\` answer | ${limits.MAX_LISTED_CONVERSATIONS} |`,
      `| \`error\` message | ${limits.MAX_ERROR_MESSAGE_CHARS} characters |`,
      `| nesting depth of a frame (JSON objects and arrays; Protobuf messages and groups) | ${limits.MAX_FRAME_DEPTH} (deeper: \`too_large\`, the frame is not parsed) |`,
      `| largest server frame a client must accept | ${limits.MAX_SERVER_FRAME_BYTES / 1024} KiB |`,
    ];
    expect(expected.filter((row) => !table.includes(row))).toEqual([]);
    expect(limits.MAX_ANNOUNCEMENT_EXPIRY_SECONDS).toBe(30 * 86_400);
    expect(limits.DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS).toBe(86_400);
    expect(protocolDoc).toContain(`| \`limit\` | integer | no | 1–${limits.MAX_LISTED_CONVERSATIONS}; default ${limits.DEFAULT_LIST_CONVERSATIONS_LIMIT}: `);
  });
});

/** The first word of a "reconnect?" cell as CloseCodes spells it. */
function reconnectWord(cell: string): string {
  if (/^no\b/.test(cell)) return 'no';
  if (/^yes\b/.test(cell)) return 'yes';
  if (/^after re-authentication\b/.test(cell)) return 'after_reauth';
  return `unreadable: ${cell}`;
}
