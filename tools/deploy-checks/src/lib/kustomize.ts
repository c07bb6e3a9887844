import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isManifest, parseYamlDocuments, type Manifest } from './manifest';

/** What to install when kubectl is missing or too old (kustomize 5 ships in kubectl 1.27+). */
const INSTALL_HINT = 'install kubectl 1.27 or newer (it bundles kustomize 5): https://kubernetes.io/docs/tasks/tools/';

/**
 * Renders a kustomization directory with the real kustomize, `kubectl kustomize <dir>`: offline,
 * nothing is sent to a cluster. Throws with what to install when kubectl is not on the PATH.
 */
export function kustomize(dir: string): Manifest[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `kubectl not found on the PATH: the deploy checks render deploy/k8s with \`kubectl kustomize\`; ${INSTALL_HINT}` : `kubectl kustomize ${dir}: ${result.error.message}`);
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${result.status ?? result.signal}): ${result.stderr.trim()}\n(kustomize 5+ needed; ${INSTALL_HINT})`);
  return parseYamlDocuments(result.stdout, `kubectl kustomize ${dir}`).filter(isManifest);
}

/**
 * Renders a kustomization with extra components on top: a kustomization of one's own holding
 * `resources: [<dir>]` and `components: [...]`, which is how docs/deploy.md enables the optional ones.
 */
export function kustomizeWithComponents(dir: string, components: string[]): Manifest[] {
  if (components.length === 0) return kustomize(dir);
  const scratch = mkdtempSync(path.join(tmpdir(), 'deploy-checks-'));
  try {
    // kustomize accepts only relative paths to other kustomizations.
    const relative = (target: string) => JSON.stringify(path.relative(scratch, path.resolve(target)));
    writeFileSync(
      path.join(scratch, 'kustomization.yaml'),
      `resources:\n  - ${relative(dir)}\ncomponents:\n${components.map((component) => `  - ${relative(component)}\n`).join('')}`,
    );
    return kustomize(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
