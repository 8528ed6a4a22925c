// ESLint for the whole workspace (`pnpm lint`): typescript-eslint's recommended rules and a few
// of our own. Type-checking stays with `pnpm typecheck` (tsc), so this config needs no type info
// and lints the repository in one fast pass.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/.turbo/', '**/coverage/', '**/test-output/', '**/.data/', '**/__fixtures__/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `== null` (null or undefined) is the one loose comparison we allow.
      eqeqeq: ['error', 'smart'],
      // Unused names are mistakes, except `_`-prefixed ones kept on purpose (and rest siblings).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // DESIGN.md: no deep imports into another package's src or dist.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@agent-runtime/*/src/*', '@agent-runtime/*/dist/*', 'agent-runtime/src/*', 'agent-runtime/dist/*'], message: 'Import the package entry (or a documented subpath), not its src or dist.' }] }],
      // STYLE.md: errors are AgentRuntimeError with a code; `instanceof` across packages is avoided by isInstance().
      'no-throw-literal': 'error',
      // `let x; subscribe(() => use(x)); x = now()`: assigned once, but read (in a closure) first.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `signal(a) || signal(b)`: a fallback call, on purpose.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    // Tests and test doubles poke at untyped wire payloads, and a scripted turn may yield nothing.
    files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**', '**/test-support/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'require-yield': 'off',
    },
  },
);
