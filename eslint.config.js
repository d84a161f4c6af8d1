// One flat config for the whole repository (`pnpm lint` at the root, or `eslint src test` in a
// package). Syntax-only typescript-eslint rules keep it fast; `tsc` does the type checking.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Process roles stay apart (STYLE.md, principle 1): a relative import reaching into another
// role's folder is an error. Entry files are started by path, never imported.
const relativeInto = (folders) => `^\\.{1,2}/(?:.*/)?(?:${folders})(?:/|$)`;

const restrictImports = (...patterns) => ['error', { patterns }];

export default defineConfig([
  globalIgnores([
    '**/dist/',
    '**/node_modules/',
    '**/coverage/',
    '.results/',
    '**/.turbo/',
    '.forkyard/',
    '**/test-results/',
    '**/playwright-report/',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  {
    files: ['apps/dashboard/**', 'e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    files: ['packages/engine/src/child/**', 'packages/engine/src/thread/**'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: relativeInto('primary'),
        message: 'child/ and thread/ code runs outside the primary: it may not import primary/ (move shared code to ipc/ or another shared folder).',
      }),
    },
  },
  {
    files: ['packages/engine/src/primary/**'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: relativeInto('child|thread'),
        message: 'primary/ code may not import child/ or thread/ (fork or start their entry file by path; share types through ipc/).',
      }),
    },
  },
  {
    files: ['packages/protocol/**'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^(?:fastify|@fastify/[^/]+|react|react-dom)(?:/.*)?$',
        message: 'protocol is the wire contract only: no server or UI framework imports.',
      }),
    },
  },
  {
    files: ['apps/dashboard/**'],
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^@forkyard/engine(?:/.*)?$|(?:^|/)packages/engine(?:/|$)',
        message: 'the dashboard talks to the engine through @forkyard/protocol and @forkyard/client, never directly.',
      }),
    },
  },
]);
