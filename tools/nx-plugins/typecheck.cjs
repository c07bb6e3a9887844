// Infers a `typecheck` target (tsc --noEmit) for every project that has a tsconfig.json next to its
// project.json, so no project.json repeats it. Caching and inputs live in nx.json targetDefaults.
// Why not @nx/js/typescript: docs/architecture.md, "Builds".
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

/** @type {import('@nx/devkit').CreateNodesV2} */
const createNodesV2 = [
  '**/tsconfig.json',
  (configFiles, _options, context) =>
    configFiles.flatMap((configFile) => {
      const projectRoot = dirname(configFile);
      if (projectRoot === '.' || !existsSync(join(context.workspaceRoot, projectRoot, 'project.json'))) return [];
      // Browser code has its own compiler settings (DOM lib, no Node types) beside the specs' (Node,
      // jest): the metrics dashboard's `public/` folder, and a browser-safe lib's `tsconfig.spec.json`.
      const extra = [join(projectRoot, 'public', 'tsconfig.json'), join(projectRoot, 'tsconfig.spec.json')]
        .filter((config) => existsSync(join(context.workspaceRoot, config)))
        .map((config) => ` && tsc -p ${config} --noEmit`);
      const typecheck = {
        command: `tsc -p ${projectRoot}/tsconfig.json --noEmit${extra.join('')}`,
        metadata: { technologies: ['typescript'], description: 'Type-checks the project, specs included (tsc --noEmit)' },
      };
      return [[configFile, { projects: { [projectRoot]: { targets: { typecheck } } } }]];
    }),
];

module.exports = { createNodesV2, createNodes: createNodesV2 };
