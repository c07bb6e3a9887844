import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { kafkaTopicsYaml } from './lib/kafka-topics';
import { renderWithComponents } from './lib/kustomize/render';
import { toYamlStream } from './lib/manifest';
import { KAFKA_TOPICS_DIR } from './lib/paths';

// Run through nx (swc compiles on the fly): `npx nx run deploy-checks:render -- <dir> [<component dir>...]`.
const USAGE = `usage: main.ts <command>
  render <kustomization dir> [<component dir>...]   print the rendered manifests, as kubectl kustomize would
  kafka-topics                                      regenerate deploy/k8s/kafka-topics/topics.yaml from libs/protocol`;

function main(argv: string[]): number {
  const [command, ...args] = argv;
  switch (command) {
    case 'render': {
      const [dir, ...components] = args;
      if (!dir) break;
      process.stdout.write(toYamlStream(renderWithComponents(dir, components)));
      return 0;
    }
    case 'kafka-topics': {
      const file = path.join(KAFKA_TOPICS_DIR, 'topics.yaml');
      writeFileSync(file, kafkaTopicsYaml());
      console.log(`wrote ${file}`);
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
