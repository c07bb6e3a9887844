import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';

// The lib dependency matrix (docs/architecture.md, "Lib dependency matrix"): one row per scope, listing
// exactly the scopes its production code may import. Keep the two in step.
const scopeDeps = {
  // libs
  'scope:wire': [],
  'scope:protocol': ['scope:wire'],
  'scope:logging': [],
  'scope:helpers': [],
  'scope:testing': [],
  'scope:telemetry': ['scope:protocol'],
  'scope:auth-tokens': ['scope:protocol'],
  'scope:client-sdk': ['scope:wire'],
  'scope:kafka': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers'],
  'scope:service-kit': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers', 'scope:kafka'],
  'scope:database': ['scope:helpers', 'scope:service-kit'],
  'scope:delivery': ['scope:protocol', 'scope:helpers', 'scope:kafka', 'scope:service-kit'],
  // apps
  'scope:auth': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers', 'scope:kafka', 'scope:service-kit', 'scope:database', 'scope:auth-tokens'],
  'scope:gateway': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers', 'scope:kafka', 'scope:service-kit', 'scope:auth-tokens'],
  'scope:router': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers', 'scope:kafka', 'scope:service-kit', 'scope:delivery'],
  'scope:persistence': ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers', 'scope:kafka', 'scope:service-kit', 'scope:database', 'scope:delivery'],
  'scope:metrics': ['scope:protocol', 'scope:telemetry', 'scope:helpers', 'scope:kafka', 'scope:service-kit'],
  // the web client runs in browsers: the client SDK and the wire lib only
  'scope:web': ['scope:client-sdk', 'scope:wire'],
  // tooling, e2e, deploy: tooling code may use the `testing` lib (seeded randomness, expectEventually)
  // local-infra: the ACL plan (protocol) and the Kafka client security and ACL helpers (kafka) for its broker.
  'scope:local-infra': ['scope:protocol', 'scope:kafka', 'scope:testing'],
  'scope:chat-demo': ['scope:client-sdk', 'scope:testing'],
  'scope:fault-harness': ['scope:protocol', 'scope:helpers', 'scope:client-sdk', 'scope:local-infra', 'scope:testing'],
  'scope:chatctl': ['scope:protocol', 'scope:helpers', 'scope:kafka', 'scope:service-kit'],
  'scope:chat-cli': ['scope:helpers', 'scope:client-sdk'],
  'scope:loadgen': ['scope:protocol', 'scope:helpers', 'scope:telemetry', 'scope:kafka', 'scope:auth-tokens', 'scope:client-sdk', 'scope:local-infra', 'scope:testing'],
  'scope:e2e': ['scope:protocol', 'scope:kafka', 'scope:auth-tokens', 'scope:client-sdk', 'scope:local-infra', 'scope:testing'],
  'scope:deploy': ['scope:protocol', 'scope:service-kit', 'scope:testing'],
};

// Specs and test support (jest specs, `test/` and `testing/` folders such as a lib's testing entry or
// an app's fakes) may also use the `testing` lib; production code may not.
const TEST_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts', '**/testing/**/*.ts'];

// Integration specs and an app's test support may also start infrastructure with the launcher (one
// way to start PostgreSQL): scope:local-infra, a tooling project.
const INTEGRATION_TEST_FILES = ['**/*.integration-spec.ts', 'apps/*/test/**/*.ts'];

/**
 * The module-boundaries rule over the matrix; `extra` scopes are added to every row, and apps and
 * libs may also import projects of the `extraTypes`.
 */
const moduleBoundaries = (extra = [], extraTypes = []) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    allow: [],
    depConstraints: [
      // Apps import libs, never each other; tooling and e2e may use libs and tooling; no app or lib
      // imports tooling.
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', ...extraTypes] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', ...extraTypes] },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
      { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: [] },
      ...Object.entries(scopeDeps).map(([sourceTag, deps]) => ({
        sourceTag,
        onlyDependOnLibsWithTags: [...new Set([...deps, ...extra])].filter((tag) => tag !== sourceTag),
      })),
      // Whatever a project imports must carry a scope from the matrix: a new lib needs its row first.
      { sourceTag: '*', onlyDependOnLibsWithTags: Object.keys(scopeDeps) },
    ],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  // src/gen: code generated from .proto files (`npx nx run wire:proto`), checked by a spec against its source instead.
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/tmp', '**/*.cjs', '**/*.mjs', '**/src/gen'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['scope:testing']) },
  },
  {
    files: INTEGRATION_TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['scope:testing', 'scope:local-infra'], ['type:tooling']) },
  },
  {
    // The wire lib, the client SDK and the web client run in browsers: no Node built-ins, with or
    // without `node:`, and no `ws`; the SDK's Node sockets are its separate entry src/node.ts.
    files: ['libs/wire/src/**/*.ts', 'libs/client-sdk/src/**/*.ts', 'apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    ignores: [...TEST_FILES, 'libs/client-sdk/src/node.ts', 'libs/client-sdk/src/lib/node-socket.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, 'ws'].map((name) => ({ name, message: 'browser code: no Node modules (Node sockets: @chat/client-sdk/node)' })),
          patterns: [{ group: ['node:*'], message: 'browser code: no Node modules' }],
        },
      ],
    },
  },
  {
    files: [...TEST_FILES, 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
