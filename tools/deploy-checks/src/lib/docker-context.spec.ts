import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyBuildContext, excludedPathsNamedIn, excludedProjects, readDockerignore } from './docker-context';

// The whole check (the five services built in a copy of the context) is the docker-context target;
// these cases pin the copy to Docker's .dockerignore semantics.
describe('copyBuildContext', () => {
  let scratch: string;
  const source = () => path.join(scratch, 'source');
  const copy = () => path.join(scratch, 'copy');

  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'docker-context-spec-'));
    const files: Record<string, string> = {
      '.dockerignore': '# comment\nnode_modules\n**/node_modules\n*.log\ndeploy\n!deploy/k8s/project.json\ntools/kafka/target\n.dockerignore\n',
      'package.json': '{}',
      'root.log': '',
      'apps/gateway/debug.log': '',
      'apps/gateway/project.json': '{ "name": "gateway" }',
      'apps/gateway/node_modules/x/index.js': '',
      'node_modules/nx/index.js': '',
      'deploy/k8s/project.json': '{ "name": "k8s-manifests" }',
      'deploy/k8s/base/kustomization.yaml': '',
      'deploy/grafana/project.json': '{ "name": "grafana" }',
      'tools/kafka/pom.xml': '',
      'tools/kafka/target/kafka.jar': '',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(source(), file)), { recursive: true });
      writeFileSync(path.join(source(), file), text);
    }
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('copies what Docker sends: root-only globs, **/ globs, whole directories, and exceptions inside an excluded one', () => {
    const copied = copyBuildContext(source(), copy());
    const present = (file: string) => existsSync(path.join(copy(), file));
    expect(['package.json', 'apps/gateway/project.json', 'apps/gateway/debug.log', 'deploy/k8s/project.json', 'tools/kafka/pom.xml'].filter((f) => !present(f))).toEqual([]);
    expect(['.dockerignore', 'root.log', 'node_modules', 'apps/gateway/node_modules', 'deploy/k8s/base', 'deploy/grafana', 'tools/kafka/target'].filter(present)).toEqual([]);
    expect(copied.files).toBe(5);
    expect(copied.excluded).toEqual(expect.arrayContaining(['node_modules', 'apps/gateway/node_modules', 'deploy/grafana', 'deploy/k8s/base', 'tools/kafka/target', 'root.log']));
    expect(readFileSync(path.join(copy(), 'deploy/k8s/project.json'), 'utf8')).toContain('k8s-manifests');
  });

  it('names the excluded project or path that a failed build mentions', () => {
    const filter = readDockerignore(source());
    const projects = excludedProjects(source(), filter);
    expect(projects).toEqual([{ name: 'grafana', root: 'deploy/grafana' }]);
    const { excluded } = copyBuildContext(source(), copy(), filter);
    expect(excludedPathsNamedIn('implicitDependencies point to non-existent project(s):\n  grafana', excluded, projects)).toEqual([
      'deploy/grafana/project.json (project grafana) is excluded by .dockerignore',
    ]);
    expect(excludedPathsNamedIn("Cannot find module 'tools/kafka/target/kafka.jar'", excluded, projects)).toEqual(['tools/kafka/target is excluded by .dockerignore']);
    expect(excludedPathsNamedIn('dist/apps/gateway/main.js not found', [...excluded, 'dist'], projects)).toEqual([]);
  });
});
