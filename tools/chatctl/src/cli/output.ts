/** What a command tells the operator: a table or sentence for people, a value for `--json`. */
export interface Report {
  /** false: the command did not achieve what was asked (exit 1); `text` says why. */
  ok: boolean;
  text: string;
  json: unknown;
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cells = rows.map((row) => headers.map((_, index) => cellText(row[index])));
  const numeric = headers.map((_, index) => rows.length > 0 && rows.every((row) => typeof row[index] === 'number' || row[index] === null || row[index] === undefined));
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((row) => (row[index] as string).length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => (numeric[index] ? cell.padStart(widths[index] as number) : cell.padEnd(widths[index] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

function cellText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  // One line per row: control characters (a key or header value can hold anything) are shown escaped.
  return typeof value === 'number' ? String(value) : JSON.stringify(value).slice(1, -1);
}

/** `n thing` / `n things`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
