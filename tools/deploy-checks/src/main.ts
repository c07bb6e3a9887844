import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaTopicsYaml } from './lib/kafka-topics';
import { kustomizeWithComponents } from './lib/kustomize';
import { toYamlStream } from './lib/manifest';
import { KAFKA_TOPICS_DIR } from './lib/paths';

// Run through nx (swc compiles on the fly): `npx nx run deploy-checks:render -- <dir> [<component dir>...]`.
const USAGE = `usage: main.ts <command>
  render <kustomization dir> [<component dir>...]   print the rendered manifests (kubectl kustomize, with the components on top)
  kafka-topics                                      regenerate deploy/k8s/kafka-topics/topics.yaml from libs/protocol`;

function main(argv: string[]): number {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = positionals;
  switch (command) {
    case 'render': {
      const [dir, ...components] = args;
      if (!dir) break;
      try {
        process.stdout.write(toYamlStream(kustomizeWithComponents(dir, components)));
      } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        return 1;
      }
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
