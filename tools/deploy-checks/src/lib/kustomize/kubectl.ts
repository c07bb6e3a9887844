import { spawnSync } from 'node:child_process';
import { parseYamlDocuments, isManifest, type Manifest } from '../manifest';

/**
 * The real kustomize, where installed (as `kubectl kustomize`, kustomize 5+ is in kubectl 1.27+),
 * to prove the in-repo renderer right; never required.
 */
export function kubectlKustomizeVersion(): string | undefined {
  const result = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20000 });
  if (result.status !== 0) return undefined;
  const version = (JSON.parse(result.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  return version && /^v?([5-9]|\d{2,})\./.test(version) ? version : undefined;
}

export function kubectlKustomize(dir: string): Manifest[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr || result.error?.message}`);
  return parseYamlDocuments(result.stdout, `kubectl kustomize ${dir}`).filter(isManifest);
}
