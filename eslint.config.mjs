// Lint: the recommended rules of ESLint and typescript-eslint, with the few choices below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', 'src/contract/generated/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names mark parameters a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Class members may share a name with an interface merged for Express' Request.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // Small, focused files (issue 13); src/contract/generated is ignored above: it is the WSDL, generated.
    files: ['src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  {
    // Dependencies point inward: the logic owns its ports and imports no adapter or I/O framework.
    files: ['src/logic/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // src/logic/<domain>/<file>.ts: two levels up is src/, where the adapters live.
              regex: '^\\.\\./\\.\\./(?!contract/|logic/)',
              message: 'src/logic imports no adapter (api, ui, store, ops, dns …): it owns the ports they implement.',
            },
            { group: ['express', 'soap', 'typeorm', 'pg', 'winston', '@electric-sql/*'], message: 'src/logic is plain TypeScript: no I/O framework.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests reach into untyped XML and driver results.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
