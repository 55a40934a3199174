// Lint, including the layer rules: a wrong import across layers fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'worker_threads', 'url', 'util', 'stream', 'net', 'zlib'];

function restrict(patterns, message) {
  return { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'release/**', 'test-output/**', 'test/bench/data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // shared/: pure TypeScript for main and renderer. No Node, no Electron, no DOM, no main/renderer.
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: restrict([...nodeBuiltins, 'electron', 'react', 'react-dom', 'better-sqlite3', '../main/*', '../renderer/*', '**/main/**', '**/renderer/**'], 'shared/ must stay free of Node, Electron, the DOM and the other layers'),
  },
  {
    // main/core/: plain Node. Never Electron, never the renderer, never a transport.
    files: ['main/core/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**', '**/server/**', '**/cli/**'], 'main/core must not import electron, the renderer or a transport'),
  },
  {
    // main/client/: the contract over HTTPS from a client's side (the desktop's main process, the CLI): plain Node.
    files: ['main/client/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**', '**/server/**', '**/cli/**', '**/core/**'], 'main/client is plain Node: it imports shared/ only, never electron, the core, a server or the renderer'),
  },
  {
    files: ['main/server/**/*.ts', 'main/cli/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**'], 'transports other than the desktop shell must not import electron or the renderer'),
  },
  {
    // The command line's start (every `repdesk` run, --help included) loads the command table and
    // nothing heavy: the core, Zod schemas and command implementations (run/) load with the
    // command that needs them, through import(). Type imports are erased and allowed.
    files: ['main/cli/bin.ts', 'main/cli/main.ts', 'main/cli/command.ts', 'main/cli/*-commands.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/**', '!**/core/paths.js', '**/run/*', '**/server/**', 'zod', '**/shared/zod.js', '**/shared/contract.js', 'mailparser', 'nodemailer'],
              allowTypeImports: true,
              message: 'the command table loads at every start: import this in run/ (or import() it when needed), or import only its types',
            },
          ],
        },
      ],
    },
  },
  {
    // renderer/: the UI talks to the typed client only; shared/ is the one thing it imports from the project.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict([...nodeBuiltins, 'electron', 'better-sqlite3', '**/main/**'], 'the renderer imports shared/ only, never Node, Electron or main/'),
  },
  {
    // CommonJS helpers (a Node preload for a third-party tool).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.js', 'bin/**/*.js'],
    rules: { 'no-console': 'off' },
  },
);
