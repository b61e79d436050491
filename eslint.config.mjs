import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Database and broker drivers are allowed only in the adapter libraries, so domain and
// application code can never reach past the ports.
const drivers = ['better-sqlite3', 'pg', 'kafkajs', 'mongoose', '@kurrent/kurrentdb-client'];

export default tseslint.config(
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/tmp',
      '**/coverage',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:contacts',
              onlyDependOnLibsWithTags: ['scope:contacts', 'scope:shared'],
            },
            {
              sourceTag: 'scope:activities',
              onlyDependOnLibsWithTags: ['scope:activities', 'scope:shared'],
            },
            {
              sourceTag: 'scope:adoption-analytics',
              onlyDependOnLibsWithTags: ['scope:adoption-analytics', 'scope:shared'],
            },
          ],
        },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Nest types many plain option bags as classes; literals are how they are meant to be passed.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/events/**/*.ts', 'libs/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: drivers.map((name) => ({
            name,
            message: 'Drivers live in adapter libraries (libs/sqlite, ...), behind the ports.',
          })),
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/testing/**/*.ts',
      '**/test/**/*.ts',
      'tools/**/*.ts',
      'bench/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // supertest and JSON bodies are `any` by design; the assertions check their shape.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
