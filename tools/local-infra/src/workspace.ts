import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The Nx workspace root (the directory holding nx.json), found by walking up from `start`.
 * Works from the sources (jest) and from dist/tools/local-infra/… alike.
 */
export function findWorkspaceRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No nx.json found in ${start} or any parent directory`);
    dir = parent;
  }
}
