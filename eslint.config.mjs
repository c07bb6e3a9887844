import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.cache', '**/tmp', '**/*.cjs', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      // Tags make the architecture enforceable: apps import libs, never each other; protocol
      // depends on nothing; tooling and e2e may use libs but no app imports tooling.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
            { sourceTag: 'scope:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:logging', onlyDependOnLibsWithTags: [] },
            // Small generic helpers (errors, timing, backoff) that anything may use: they depend on nothing.
            { sourceTag: 'scope:helpers', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:kafka', onlyDependOnLibsWithTags: ['scope:protocol', 'scope:logging', 'scope:telemetry', 'scope:helpers'] },
            { sourceTag: 'scope:telemetry', onlyDependOnLibsWithTags: ['scope:protocol'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'libs/local-infra/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
