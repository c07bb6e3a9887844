import { open } from 'node:fs/promises';

/** Last `lines` lines of a (possibly large) log file; only the end of the file is read. */
export async function tailFile(file: string, lines = 40, maxBytes = 256 * 1024): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return `(no log at ${file})`;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return tailText(buffer.toString('utf8'), lines);
  } finally {
    await handle.close();
  }
}

export function tailText(text: string, lines = 40): string {
  return text.replace(/\s+$/, '').split(/\r?\n/).slice(-lines).join('\n');
}
