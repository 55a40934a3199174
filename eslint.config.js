// Lint, including the layer rules: a wrong import across layers fails `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'worker_threads', 'url', 'util', 'stream', 'net', 'zlib'];

function restrict(patterns, message, ...more) {
  return { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }, ...more] }] };
}

// The shells (the command line, the desktop shell, the servers) reach the core through its entry
// points, never a capability's internals: they call operations of the contract on a core.
const CORE_ENTRY_POINTS = [
  'app.js', // createCore and the Core: every operation through the contract's dispatch
  'writer/threaded-core.js', // the core a server and the desktop app run (a writer thread and a reader)
  'errors.js', // AppError: a shell's refusals take the contract's error codes
  'log.js',
  'paths.js', // the default data folder and database
  'core-files.js', // files other threads run, the built UI
  'database-location.js', // where the desktop app's database is
  'io/uploads.js', // the files the desktop shell registers for the page
  'io/records.js', // the bounded line reader (repdesk lookup --file)
  'backup/backup.js', // repdesk backup / restore: the database as a file, no core opened
  'dashboard/counters.js', // settle.ts: the dashboard's fold as a command ends
  'snapshot/index.js', // snapshots as files (verify, install, keys, signing on this computer): no database
];
const coreInternals = {
  regex: `^(\\.\\./)+core/(?!(${CORE_ENTRY_POINTS.map((path) => path.replaceAll('.', '\\.')).join('|')})$)`,
  message: 'a shell (cli/, electron/, server/) uses the core through its entry points (eslint.config.js CORE_ENTRY_POINTS): call an operation of the contract instead of reaching into a capability',
};

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
    // main/core/snapshot/: snapshots as files. No database and nothing of the core above it
    // (publish/ and audit/ import it, never the reverse); core errors only.
    files: ['main/core/snapshot/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'react', 'react-dom', 'better-sqlite3'], message: 'main/core/snapshot is database-free: it imports shared/, Node and ../errors.js only' },
            // Anything outside snapshot/ but the core's errors and shared/.
            { regex: '^\\.\\./(?!errors\\.js$|\\.\\./\\.\\./shared/)', message: 'main/core/snapshot is database-free: it imports shared/, Node and ../errors.js only' },
          ],
        },
      ],
    },
  },
  {
    // Everything else reaches snapshot/ through its one entry point.
    files: ['main/**/*.ts', 'test/**/*.ts'],
    ignores: ['main/core/snapshot/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/snapshot/*', '!**/snapshot/index.js'], message: 'import snapshot/ through main/core/snapshot/index.js' }] }],
    },
  },
  {
    // main/client/: the contract over HTTPS from a client's side (the desktop's main process, the CLI): plain Node.
    files: ['main/client/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**', '**/server/**', '**/cli/**', '**/core/**'], 'main/client is plain Node: it imports shared/ only, never electron, the core, a server or the renderer'),
  },
  {
    files: ['main/server/**/*.ts', 'main/cli/**/*.ts'],
    rules: restrict(['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**'], 'transports other than the desktop shell must not import electron or the renderer', coreInternals),
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: restrict(['react', 'react-dom', '**/renderer/**', '**/cli/**', '**/server/**'], 'the desktop shell serves the renderer over IPC: it imports neither the renderer, the command line nor the servers (what both serve is in shared/)', coreInternals),
  },
  {
    // The command line's start (every `repdesk` run, --help included) loads the command table and
    // nothing heavy: the core, Zod schemas and command implementations (run/) load with the
    // command that needs them, through import(). Type imports are erased and allowed.
    files: ['main/cli/bin.ts', 'main/cli/main.ts', 'main/cli/command.ts', 'main/cli/filter-options.ts', 'main/cli/*-commands.ts'],
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
