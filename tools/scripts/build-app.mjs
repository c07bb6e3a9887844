#!/usr/bin/env node
// Builds one Nx project to dist/<projectRoot>: its own sources plus those of every workspace lib it
// depends on (from the Nx project graph), compiled by swc to CommonJS with the workspace aliases
// rewritten to relative paths. Type checking is the separate `typecheck` target (tsc --noEmit).
// A project's `public/` folder (static files for the browser, e.g. the metrics dashboard) is built
// next to its compiled sources: its TypeScript compiled by swc to ES modules, everything else copied.
import { createProjectGraphAsync } from '@nx/devkit';
import { transformFile } from '@swc/core';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectName = process.argv[2];
if (!projectName) {
  console.error('usage: build-app.mjs <project>');
  process.exit(2);
}

const graph = await createProjectGraphAsync({ exitOnError: true });
const project = graph.nodes[projectName];
if (!project) {
  console.error(`build-app: unknown project "${projectName}"`);
  process.exit(2);
}

const tagsOf = (name) => graph.nodes[name]?.data.tags ?? [];
// An app's or lib's production code imports only libs other than `testing` (lint enforces it); its
// specs and test support may reach `testing` and the launcher, which no build of it should ship.
const shipsOnlyLibs = tagsOf(projectName).includes('type:app') || tagsOf(projectName).includes('type:lib');
const shipped = (name) => !shipsOnlyLibs || (tagsOf(name).includes('type:lib') && !tagsOf(name).includes('scope:testing'));

/** The project and every workspace project its built code reaches through its dependencies. */
function closure(name, seen = new Set()) {
  if (seen.has(name) || !graph.nodes[name]) return seen;
  seen.add(name);
  for (const dep of graph.dependencies[name] ?? []) if (shipped(dep.target)) closure(dep.target, seen);
  return seen;
}

const { compilerOptions } = JSON.parse(
  await import('node:fs').then((fs) => fs.readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8')),
);
const isSource = (file) => file.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec|d)\.ts$/.test(file);

async function* sourcesUnder(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sourcesUnder(full);
    else if (isSource(entry.name)) yield full;
  }
}

const outDir = path.join(workspaceRoot, 'dist', project.data.root);
await rm(outDir, { recursive: true, force: true });

let count = 0;
for (const name of closure(projectName)) {
  const srcRoot = path.join(workspaceRoot, graph.nodes[name].data.root, 'src');
  for await (const file of sourcesUnder(srcRoot)) {
    const relative = path.relative(workspaceRoot, file);
    const target = path.join(outDir, relative.replace(/\.ts$/, '.js'));
    const { code, map } = await transformFile(file, {
      swcrc: false,
      sourceMaps: true,
      sourceFileName: path.relative(path.dirname(target), file),
      module: { type: 'commonjs' },
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        baseUrl: workspaceRoot,
        paths: compilerOptions.paths,
        keepClassNames: true,
      },
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    await writeFile(`${target}.map`, map);
    count += 1;
  }
}

/**
 * `<root>/public/**` -> `dist/<root>/<root>/public/**`, the same place relative to the compiled
 * `src/` as in the sources, so the app finds it at `join(__dirname, '..', 'public')` either way.
 * TypeScript becomes ES2022 modules for the browser, one per file, no bundling (modules import each
 * other by the `.js` name the browser loads; a `.ts` one would be rewritten);
 * specs and the folder's tsconfig (type checking only) are left out; other files are copied.
 */
async function buildPublic(root) {
  const publicRoot = path.join(workspaceRoot, root, 'public');
  let files = 0;
  async function walk(dir) {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      if (/^tsconfig.*\.json$/.test(entry.name) || (entry.name.endsWith('.ts') && !isSource(entry.name))) continue;
      const target = path.join(outDir, path.relative(workspaceRoot, full)).replace(/\.ts$/, '.js');
      await mkdir(path.dirname(target), { recursive: true });
      if (entry.name.endsWith('.ts')) {
        const { code, map } = await transformFile(full, {
          swcrc: false,
          sourceMaps: true,
          sourceFileName: path.relative(path.dirname(target), full),
          module: { type: 'es6' },
          jsc: { parser: { syntax: 'typescript' }, target: 'es2022', rewriteRelativeImportExtensions: true },
        });
        await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        await writeFile(`${target}.map`, map);
      } else {
        await copyFile(full, target);
      }
      files += 1;
    }
  }
  await walk(publicRoot);
  return files;
}
count += await buildPublic(project.data.root);

const main = path.join(project.data.root, 'src', 'main.js');
await writeFile(path.join(outDir, 'main.js'), `require('./${main.split(path.sep).join('/')}');\n`);
console.log(`build-app: ${projectName} -> ${path.relative(workspaceRoot, outDir)} (${count} files)`);
