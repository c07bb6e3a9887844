import { styleText } from 'node:util';

/** One colour per process tag, in turn. */
const TAG_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'redBright', 'cyanBright'] as const;

/** Colour only for terminals, honouring the NO_COLOR / FORCE_COLOR conventions. */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** "[auth]       " – padded to the widest name so the output columns line up. */
export function makeTag(name: string, width: number, colorIndex: number, color: boolean): string {
  const tag = `[${name}]`.padEnd(width + 2);
  // useColor has decided for the stream the tag goes to; styleText would otherwise judge by stderr.
  return color ? styleText(TAG_COLORS[colorIndex % TAG_COLORS.length], tag, { validateStream: false }) : tag;
}

/** Plain left-aligned text table. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}
