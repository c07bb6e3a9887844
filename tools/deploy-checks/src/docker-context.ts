/**
 * The image build without a Docker engine: copies exactly what `docker build` sends as the context
 * (the repository root filtered by .dockerignore, Docker's semantics) into a temp dir, links the
 * workspace's node_modules there (the image gets its own from `npm ci`) and runs the Dockerfile's
 * build of every service in that copy. Fails naming what .dockerignore left out that the build needed.
 *
 *   npx nx run deploy-checks:docker-context   (the `test` target runs it first)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyBuildContext, excludedPathsNamedIn, excludedProjects, readDockerignore } from './lib/docker-context';
import { APPS, WORKSPACE_ROOT } from './lib/paths';

const DOCKERFILE = path.join(WORKSPACE_ROOT, 'deploy', 'docker', 'Dockerfile');
/** The build step this check repeats; if the Dockerfile's changes, this check must change with it. */
const BUILD_STEP = 'RUN npx nx run "${APP}:build" --outputStyle=static';

/**
 * The build step, for every service in one Nx invocation. As in the image: no daemon, no remote
 * cache, plain output; and a cache and workspace data of its own, so that nothing is taken from or
 * written to the workspace's .nx. The NX_ variables of an outer Nx run (this check runs as a task)
 * are left out: they would point Nx back at the workspace.
 */
function nx(context: string, scratch: string, extra: string[]): { status: number | null; error?: string; output: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_')));
  const result = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', APPS.join(','), '--outputStyle=static', '--skipNxCache', ...extra], {
    cwd: context,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_CACHE_DIRECTORY: path.join(scratch, 'nx-cache'),
      NX_WORKSPACE_DATA_DIRECTORY: path.join(scratch, 'nx-workspace-data'),
    },
  });
  return { status: result.status, error: result.error?.message, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function main(): number {
  const started = Date.now();
  if (!readFileSync(DOCKERFILE, 'utf8').includes(BUILD_STEP)) {
    console.error(`docker-context: ${path.relative(WORKSPACE_ROOT, DOCKERFILE)} no longer builds with \`${BUILD_STEP}\`; make tools/deploy-checks/src/docker-context.ts run what it runs now`);
    return 1;
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'docker-context-'));
  const context = path.join(scratch, 'app');
  try {
    const filter = readDockerignore(WORKSPACE_ROOT);
    const copied = copyBuildContext(WORKSPACE_ROOT, context, filter);
    symlinkSync(path.join(WORKSPACE_ROOT, 'node_modules'), path.join(context, 'node_modules'), 'dir');
    const missingApps = APPS.filter((app) => !existsSync(path.join(context, 'apps', app, 'project.json')));
    if (missingApps.length > 0) {
      console.error(`docker-context: the Dockerfile's APP check fails: apps/{${missingApps.join(',')}}/project.json is excluded by .dockerignore`);
      return 1;
    }
    const build = nx(context, scratch, []);
    let output = build.output;
    // Nx names the cause of a broken project graph (such as implicitDependencies on a project the
    // context left out) only when verbose; ask again for it, without the plugin workers' chatter.
    if (build.status !== 0 && output.includes('Failed to process project graph')) {
      output = nx(context, scratch, ['--verbose']).output.split('\n').filter((line) => !/^\[(isolated-plugin|plugin-worker)\]/.test(line)).join('\n');
    }
    const unbuilt = APPS.filter((app) => !existsSync(path.join(context, 'dist', 'apps', app, 'main.js')));
    if (build.status !== 0 || unbuilt.length > 0) {
      const causes = excludedPathsNamedIn(output, copied.excluded, excludedProjects(WORKSPACE_ROOT, filter));
      console.error(output.trimEnd());
      console.error(
        `\ndocker-context: the image build fails in the Docker build context (${build.error ?? `exit ${build.status}`}` +
          `${unbuilt.length > 0 ? `; no dist/apps/{${unbuilt.join(',')}}/main.js` : ''}).\n` +
          (causes.length > 0 ? causes.map((cause) => `  ${cause}\n`).join('') : '  (no excluded path is named in the output above)\n') +
          'Keep what the build needs in the context (.dockerignore) or stop needing it.',
      );
      return 1;
    }
    console.log(`docker-context: ${APPS.join(', ')} build in the Docker build context (${copied.files} files) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = main();
