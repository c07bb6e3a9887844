import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_GATEWAY_COUNT, GATEWAY_STATEFULSETS_FILE, gatewayStatefulSetsYaml } from './lib/gateways';
import { kafkaTopicsYaml } from './lib/kafka-topics';
import { kustomizeWithComponents } from './lib/kustomize';
import { toYamlStream } from './lib/manifest';
import { KAFKA_TOPICS_DIR } from './lib/paths';

// Run through nx (swc compiles on the fly): `npx nx run deploy-checks:render -- <dir> [<component dir>...]`.
const USAGE = `usage: main.ts <command>
  render <kustomization dir> [<component dir>...]   print the rendered manifests (kubectl kustomize, with the components on top)
  kafka-topics                                      regenerate deploy/k8s/kafka-topics/topics.yaml from libs/protocol
  gateways [--count N]                              regenerate deploy/k8s/base/gateway/statefulsets.yaml: N gateways (default ${DEFAULT_GATEWAY_COUNT}),
                                                    one single-replica StatefulSet each, from statefulset.template.yaml`;

function main(argv: string[]): number {
  let positionals: string[];
  let count: string | undefined;
  try {
    ({
      positionals,
      values: { count },
    } = parseArgs({ args: argv, options: { count: { type: 'string' } }, allowPositionals: true, strict: true }));
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
    case 'gateways': {
      if (count !== undefined && !/^\d+$/.test(count)) {
        console.error(`--count: "${count}" is not a whole number of gateways\n${USAGE}`);
        return 2;
      }
      const n = count === undefined ? DEFAULT_GATEWAY_COUNT : Number(count);
      try {
        writeFileSync(GATEWAY_STATEFULSETS_FILE, gatewayStatefulSetsYaml(n));
      } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        return 1;
      }
      console.log(`wrote ${GATEWAY_STATEFULSETS_FILE} (${n} gateways)`);
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
