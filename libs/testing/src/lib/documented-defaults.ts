import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The defaults a Markdown document states for configuration variables, read from its tables, so a
 * spec can hold them against the service's config schema (docs/claims.md lists such specs).
 *
 * A table counts when its header has a `variable` column and a `default` column. In each row, the
 * variables are the backticked UPPER_CASE names of the variable cell outside parentheses, and the
 * values are the numbers of the default cell in the same order: `64 KiB` and `4 MiB` in bytes,
 * `15 s` in milliseconds, `10,000` or `` `25000` `` as written; a cell without numbers that says
 * `auto` gives `auto` to each variable. A row whose counts differ gives `unreadable` with the cell,
 * so a spec fails on it instead of skipping it. Cells without numbers or `auto` (`required`, `any`)
 * give nothing.
 */
export interface DocumentedDefault {
  variable: string;
  value: number | 'auto' | { unreadable: string };
  /** The table row, for a failure message. */
  row: string;
}

const NUMBER = /(\d{1,3}(?:,\d{3})+|\d+)(?:\s?(KiB|MiB|ms|s)\b)?/g;
const UNIT_FACTORS: Record<string, number> = { KiB: 1024, MiB: 1024 * 1024, ms: 1, s: 1000 };

export function documentedDefaults(markdown: string): DocumentedDefault[] {
  const found: DocumentedDefault[] = [];
  let columns: { variable: number; value: number } | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    if (columns === undefined) {
      // The first row of a table is its header.
      const variable = cells.findIndex((cell) => /^variables?$/i.test(cell));
      const value = cells.findIndex((cell) => /^default$/i.test(cell));
      columns = variable >= 0 && value >= 0 ? { variable, value } : { variable: -1, value: -1 };
      continue;
    }
    if (columns.variable < 0 || /^-+$/.test(cells[0]?.replace(/:/g, '') ?? '')) continue;
    const variables = [...(cells[columns.variable] ?? '').replace(/\([^)]*\)/g, '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(([, name]) => name);
    const cell = (cells[columns.value] ?? '').replace(/`/g, '');
    const numbers = [...cell.matchAll(NUMBER)].map(([, digits, unit]) => Number(digits.replace(/,/g, '')) * (unit ? UNIT_FACTORS[unit] : 1));
    if (numbers.length === 0 && !/\bauto\b/.test(cell)) continue;
    variables.forEach((variable, index) => {
      const value = numbers.length === 0 ? 'auto' : numbers.length === variables.length ? numbers[index] : { unreadable: cell };
      found.push({ variable, value, row: line });
    });
  }
  return found;
}

/** A document by name, with its text. */
export interface NamedDocument {
  name: string;
  text: string;
}

/** A default as one document states it, beside the config schema's. */
export interface ComparedDefault {
  doc: string;
  variable: string;
  documented: DocumentedDefault['value'];
  actual: unknown;
  row: string;
}

/** The named Markdown files of a docs folder. */
export function readDocuments(docsDir: string, names: readonly string[]): NamedDocument[] {
  return names.map((name) => ({ name, text: readFileSync(path.join(docsDir, name), 'utf8') }));
}

/**
 * Every default the documents' tables state for a variable the config has as a number or `auto`,
 * beside the config's value: a spec expects those that differ to be none.
 */
export function compareDocumentedDefaults(documents: readonly NamedDocument[], defaults: Record<string, unknown>): ComparedDefault[] {
  return documents.flatMap(({ name, text }) =>
    documentedDefaults(text)
      .filter(({ variable }) => typeof defaults[variable] === 'number' || defaults[variable] === 'auto')
      .map(({ variable, value, row }) => ({ doc: name, variable, documented: value, actual: defaults[variable], row })),
  );
}
