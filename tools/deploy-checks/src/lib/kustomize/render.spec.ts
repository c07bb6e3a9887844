import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { get, type JsonObject } from '../manifest';
import { COMPONENTS, componentDir, KAFKA_TOPICS_DIR, OVERLAYS, overlayDir } from '../paths';
import { kubectlKustomize, kubectlKustomizeVersion } from './kubectl';
import { renderKustomization, renderWithComponents } from './render';
import { strategicMerge } from './strategic-merge';

describe('strategicMerge', () => {
  const deployment: JsonObject = {
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }], resources: { requests: { cpu: '1' } } },
            { name: 'sidecar', image: 's' },
          ],
          tolerations: [{ key: 'x' }],
        },
      },
    },
  };

  it('merges maps, containers by name and env by name; replaces lists without a merge key', () => {
    const patched = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', env: [{ name: 'B', value: '2' }], resources: { limits: { cpu: '2' } } }],
            tolerations: [{ key: 'y' }],
          },
        },
      },
    });
    expect(patched).toEqual({
      spec: {
        replicas: 1,
        template: {
          spec: {
            containers: [
              {
                name: 'app',
                image: 'a',
                env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
                ports: [{ containerPort: 80 }],
                resources: { requests: { cpu: '1' }, limits: { cpu: '2' } },
              },
              { name: 'sidecar', image: 's' },
            ],
            tolerations: [{ key: 'y' }],
          },
        },
      },
    });
  });

  it('removes a key set to null and a list item marked $patch: delete, and leaves the target untouched', () => {
    const patched = strategicMerge(deployment, { spec: { replicas: null, template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } });
    expect(patched).toEqual({ spec: { template: { spec: { containers: [get(deployment, 'spec', 'template', 'spec', 'containers', 0) ?? null], tolerations: [{ key: 'x' }] } } } });
    expect(get(deployment, 'spec', 'replicas')).toBe(1);
  });
});

describe('renderKustomization', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'deploy-checks-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    writeFileSync(path.join(scratch, file), text);
  }

  it('refuses kustomize features it does not implement instead of ignoring them', () => {
    write('kustomization.yaml', 'resources: []\nnamePrefix: x-\n');
    expect(() => renderKustomization(scratch)).toThrow(/namePrefix not supported/);
  });

  it('refuses a patch that matches nothing', () => {
    write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    write('patch.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  X: "1"\n');
    write('kustomization.yaml', 'resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n');
    expect(() => renderKustomization(scratch)).toThrow(/matches no resource/);
  });

  it('sets the namespace, replicas and images', () => {
    write('base/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n');
    write('base/kustomization.yaml', 'resources: [deploy.yaml]\n');
    write('kustomization.yaml', 'namespace: prod\nresources: [base]\nreplicas:\n  - name: web\n    count: 3\nimages:\n  - name: web\n    newName: registry/web\n    newTag: "2"\n');
    const [deployment] = renderKustomization(scratch);
    expect(deployment.metadata.namespace).toBe('prod');
    expect(deployment).toMatchObject({ spec: { replicas: 3, template: { spec: { containers: [{ image: 'registry/web:2' }] } } } });
  });
});

// The in-repo renderer must produce exactly what kustomize does for every kustomization in
// deploy/k8s. Runs wherever kubectl 1.27+ is installed (GitHub's runners and this project's
// machines have it); elsewhere the checks rely on the renderer alone.
const kustomizeVersion = kubectlKustomizeVersion();
const conformance = kustomizeVersion ? describe : describe.skip;

conformance(`the in-repo renderer against kubectl kustomize (${kustomizeVersion ?? 'not installed'})`, () => {
  it.each(OVERLAYS)('overlays/%s renders identically', (overlay) => {
    expect(renderKustomization(overlayDir(overlay))).toEqual(kubectlKustomize(overlayDir(overlay)));
  });

  it('kafka-topics renders identically', () => {
    expect(renderKustomization(KAFKA_TOPICS_DIR)).toEqual(kubectlKustomize(KAFKA_TOPICS_DIR));
  });

  it('overlays/prod with every optional component renders identically', () => {
    // kustomize accepts only relative paths to other kustomizations.
    const scratch = mkdtempSync(path.join(tmpdir(), 'deploy-checks-'));
    try {
      const relative = (dir: string) => path.relative(scratch, dir);
      const components = COMPONENTS.map(componentDir);
      writeFileSync(
        path.join(scratch, 'kustomization.yaml'),
        `resources:\n  - ${relative(overlayDir('prod'))}\ncomponents:\n${components.map((dir) => `  - ${relative(dir)}\n`).join('')}`,
      );
      expect(renderWithComponents(overlayDir('prod'), components)).toEqual(kubectlKustomize(scratch));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
