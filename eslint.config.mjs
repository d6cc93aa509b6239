// Lint rules of the repository, run by `npm test` (scripts/test.sh): ESLint's and typescript-eslint's
// recommended rules, with type information for the rules that need it (a promise nobody awaits or
// catches is an error: an unhandled rejection can stop a process that serves everyone). Formatting is
// Prettier's (.prettierrc.json); eslint-config-prettier turns off the rules that would disagree with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'test-artifacts/**', '.tmp/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // `_`-prefixed parameters and caught errors are deliberately unused (interfaces, catch-alls).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests and benchmarks talk to real HTTP and JSON: their responses are typed loosely on purpose.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**', '**/testing/**', 'libs/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Node scripts and configuration in CommonJS.
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['apps/dashboard/**'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard: plain ES modules in the browser, no build step.
    files: ['apps/dashboard/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  prettier,
);
