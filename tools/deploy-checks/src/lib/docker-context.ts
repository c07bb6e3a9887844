import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import dockerignore, { type Ignore } from '@balena/dockerignore';

/** `.dockerignore` of a build context, matched with Docker's own semantics (@balena/dockerignore). */
export interface ContextFilter {
  ignore: Ignore;
  /** The `!` exceptions, without the `!` and leading slashes. */
  exceptions: string[];
}

export function readDockerignore(contextDir: string): ContextFilter {
  const file = path.join(contextDir, '.dockerignore');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/) : [];
  const patterns = lines.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return {
    ignore: dockerignore().add(patterns),
    exceptions: patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/^\/+/, '')),
  };
}

/**
 * Whether an excluded directory can be skipped whole: no exception could re-include something
 * under it (Docker walks into an excluded directory only for such an exception, too).
 */
function exceptionMayMatchUnder(filter: ContextFilter, dir: string): boolean {
  return filter.exceptions.some((exception) => {
    const literal = exception.slice(0, exception.search(/[*?[\\]|$/));
    return literal.startsWith(`${dir}/`) || `${dir}/`.startsWith(literal);
  });
}

export interface CopiedContext {
  files: number;
  /** Paths (relative, `/`-separated) left out by .dockerignore: whole directories where skipped whole. */
  excluded: string[];
}

/** Copies what `docker build <contextDir>` sends as its context into `destination`. */
export function copyBuildContext(contextDir: string, destination: string, filter = readDockerignore(contextDir)): CopiedContext {
  const result: CopiedContext = { files: 0, excluded: [] };
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const source = path.join(contextDir, relative);
      const target = path.join(destination, relative);
      const ignored = filter.ignore.ignores(relative);
      if (entry.isDirectory()) {
        if (ignored && !exceptionMayMatchUnder(filter, relative)) {
          result.excluded.push(relative);
          continue;
        }
        walk(relative);
      } else if (ignored) {
        result.excluded.push(relative);
      } else {
        mkdirSync(path.dirname(target), { recursive: true });
        if (lstatSync(source).isSymbolicLink()) symlinkSync(readlinkSync(source), target);
        else copyFileSync(source, target);
        result.files += 1;
      }
    }
  };
  mkdirSync(destination, { recursive: true });
  walk('');
  return result;
}

/** Directories never worth walking for project.json files. */
const NOT_PROJECTS = new Set(['node_modules', '.git', '.nx', '.cache', 'dist', 'tmp']);

/** The Nx projects (project.json) whose definition the context leaves out: name and root. */
export function excludedProjects(contextDir: string, filter = readDockerignore(contextDir)): { name: string; root: string }[] {
  const found: { name: string; root: string }[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!NOT_PROJECTS.has(entry.name)) walk(relative);
      } else if (entry.name === 'project.json' && filter.ignore.ignores(relative)) {
        const { name } = JSON.parse(readFileSync(path.join(contextDir, relative), 'utf8')) as { name?: string };
        found.push({ name: name ?? relativeDir, root: relativeDir });
      }
    }
  };
  walk('');
  return found;
}

/** Left out of every context because the build makes them; a build's output names them without their absence being a fault. */
const GENERATED = new Set([...NOT_PROJECTS, 'out-tsc', 'coverage']);

/** What the context leaves out that a failed build's output names: the likely cause, in a sentence each. */
export function excludedPathsNamedIn(output: string, excluded: string[], projects: { name: string; root: string }[]): string[] {
  const named = projects
    .filter(({ name, root }) => new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(output) || output.includes(root))
    .map(({ name, root }) => `${root}/project.json (project ${name}) is excluded by .dockerignore`);
  for (const entry of excluded) {
    if (GENERATED.has(entry.split('/')[0])) continue;
    if (output.includes(entry) && !named.some((line) => line.startsWith(`${entry}/`))) named.push(`${entry} is excluded by .dockerignore`);
  }
  return named;
}
