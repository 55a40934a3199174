/**
 * `repdesk` starts at once: help, wrong usage and the commands that touch no database load
 * neither the core nor mail parsing nor the zone writers. The compiled command line
 * (dist/main/cli/bin.js) runs in a child process with a module hook that records every module it
 * resolves; a command that does open the core is the control that the hook sees those modules
 * when they load. The bundle `bin/repdesk.js` runs (dist/cli/) is checked the same way through
 * the modules each loaded chunk holds (the bundler marks each with a `// path` line).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** dist/test/integration -> the package root. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = join(ROOT, 'bin', 'repdesk.js');
const MODULES_ENTRY = join(ROOT, 'dist', 'main', 'cli', 'bin.js');
const BUNDLE_ENTRY = join(ROOT, 'dist', 'cli', 'repdesk.js');

/** What must not load before a command needs it. */
const HEAVY = [
  { name: 'mailparser', pattern: /\/node_modules\/mailparser\// },
  { name: 'nodemailer', pattern: /\/node_modules\/nodemailer\// },
  { name: 'zod (the contract schemas)', pattern: /\/node_modules\/zod\// },
  { name: 'the zone writers', pattern: /\/main\/core\/publish\/zones\/(bind|rbldnsd)\.js$/ },
  { name: 'the core', pattern: /\/main\/core\/app\.js$/ },
  { name: 'any command implementation', pattern: /\/main\/cli\/run\// },
];

let folder: string;
let register: string;

before(() => {
  folder = mkdtempSync(join(tmpdir(), 'repdesk-startup-'));
  const hooks = join(folder, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.REPDESK_TEST_MODULE_LOG, resolved.url + '\\n');
  return resolved;
}
`,
  );
  register = join(folder, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
});

after(() => rmSync(folder, { recursive: true, force: true }));

/** Run bin/repdesk.js with the hook; the modules it resolved, its exit code and output. */
function loaded(args: readonly string[], entry = MODULES_ENTRY): { modules: string[]; code: number | null; out: string; error: string } {
  const log = join(folder, `modules-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, '');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.startsWith('REPDESK_')) env[name] = value;
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, entry, ...args], {
    env: { ...env, REPDESK_TEST_MODULE_LOG: log, REPDESK_LOG_LEVEL: 'error', XDG_CONFIG_HOME: join(folder, 'config') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { modules: readFileSync(log, 'utf8').split('\n').filter(Boolean), code: result.status, out: result.stdout, error: result.stderr };
}

function heavyIn(modules: readonly string[]): string[] {
  return HEAVY.filter((heavy) => modules.some((url) => heavy.pattern.test(url))).map((heavy) => heavy.name);
}

/**
 * The modules inside the bundle's chunks that were loaded, as the paths the bundler marked them
 * with (relative to the project; `../…/node_modules/` when node_modules is a link to another
 * checkout's, as in a worktree).
 */
function bundledModules(urls: readonly string[]): string[] {
  const chunks = urls.filter((url) => url.startsWith(pathToFileURL(join(ROOT, 'dist', 'cli')).href) && url.endsWith('.js'));
  return chunks.flatMap((url) => readFileSync(fileURLToPath(url), 'utf8').split('\n').filter((text) => /^\/\/ (\.\.\/\S*?)?(dist|node_modules)\//.test(text)).map((text) => `/${text.slice(3)}`));
}

describe('repdesk start-up', () => {
  test('--help loads the command table only: no core, no mail parsing, no zone writers', () => {
    const run = loaded(['--help']);
    assert.equal(run.code, 0, run.error);
    assert.match(run.out, /^Usage: repdesk/);
    assert.match(run.out, /samples import/);
    assert.ok(run.modules.some((url) => url.endsWith('/main/cli/main.js')), 'the hook saw the CLI load');
    assert.deepEqual(heavyIn(run.modules), []);
  });

  test("a command's --help and wrong usage load nothing more", () => {
    for (const args of [['samples', 'import', '--help'], ['publish', '--help'], ['backup', '--help'], ['keys', 'register', '--help'], ['lookup', '--bogus'], ['no-such-command']]) {
      const run = loaded(args);
      assert.ok(run.code === 0 || run.code === 2, `${args.join(' ')}: exit ${run.code} ${run.error}`);
      assert.deepEqual(heavyIn(run.modules), [], args.join(' '));
    }
  });

  test('verify, which needs no database, loads its own module and not the core, mail parsing or the zone writers', () => {
    const run = loaded(['verify', join(folder, 'no-such-snapshot'), '--pubkey', join(folder, 'no-such.pub')]);
    assert.equal(run.code, 1, run.error);
    assert.ok(run.modules.some((url) => url.endsWith('/main/cli/run/publish.js')), 'the command ran');
    assert.deepEqual(
      heavyIn(run.modules).filter((name) => name !== 'any command implementation'),
      [],
    );
  });

  test('bin/repdesk.js runs the bundle; its --help, wrong usage and verify load no chunk holding the core, Zod, mail parsing or the zone writers', () => {
    const viaBin = loaded(['--help'], BIN);
    assert.equal(viaBin.code, 0, viaBin.error);
    assert.ok(viaBin.modules.some((url) => url === pathToFileURL(BUNDLE_ENTRY).href), 'bin/repdesk.js ran the bundle');
    assert.ok(!viaBin.modules.some((url) => url.endsWith('/main/cli/main.js')), 'and not the modules');
    for (const args of [['--help'], ['samples', 'import', '--help'], ['lookup', '--bogus'], ['verify', join(folder, 'no-such-snapshot'), '--pubkey', join(folder, 'no-such.pub')]]) {
      const run = loaded(args, BUNDLE_ENTRY);
      assert.ok(run.code === 0 || run.code === 1 || run.code === 2, `${args.join(' ')}: exit ${run.code} ${run.error}`);
      const inside = bundledModules(run.modules);
      assert.ok(inside.some((path) => path.endsWith('/main/cli/main.js')), `${args.join(' ')}: the chunks name their modules`);
      assert.deepEqual(heavyIn(inside).filter((name) => name !== 'any command implementation'), [], args.join(' '));
    }
    // Control: a command that opens the database loads the chunk holding the core, and the marks show it.
    const listed = loaded(['--db', join(folder, 'bundle.sqlite'), 'investigator', 'list'], BUNDLE_ENTRY);
    assert.equal(listed.code, 0, listed.error);
    const heavy = heavyIn(bundledModules(listed.modules));
    assert.ok(heavy.includes('the core') && heavy.includes('zod (the contract schemas)'), heavy.join(', '));
  });

  test('a lookup opens the core but not mail parsing, the mail transports or the common-password list (they load with the first message, reply sent or passphrase)', () => {
    const db = join(folder, 'lookup.sqlite');
    assert.equal(loaded(['--db', db, 'investigator', 'add', 'Ana', '--roles', 'investigator']).code, 0);
    const run = loaded(['--db', db, 'lookup', '45.3.2.1']);
    assert.equal(run.code, 0, run.error);
    const heavy = heavyIn(run.modules);
    assert.ok(heavy.includes('the core'), 'the control: the core did load');
    assert.deepEqual(heavy.filter((name) => name === 'mailparser'), []);
    // Of nodemailer only the two small header encoders a reply is written with; its transports load when one is sent.
    assert.deepEqual(run.modules.filter((url) => /\/node_modules\/(@zxcvbn-ts\/|nodemailer\/lib\/(nodemailer|smtp-transport|mailer)\b)/.test(url)), []);
  });

  test('control: commands that open the database load the core, and a sample import mail parsing', () => {
    const db = join(folder, 'control.sqlite');
    const listed = loaded(['--db', db, 'investigator', 'list']);
    assert.equal(listed.code, 0, listed.error);
    const heavy = heavyIn(listed.modules);
    assert.ok(heavy.includes('the core') && heavy.includes('zod (the contract schemas)'), heavy.join(', '));
    assert.equal(loaded(['--db', db, 'investigator', 'add', 'Ana', '--roles', 'investigator']).code, 0);
    const message = join(folder, 'sample.eml');
    writeFileSync(message, 'Received: from mail.example (mail.example [45.3.2.1]) by mx.example; Mon, 7 Dec 2026 10:00:00 +0000\r\nFrom: a@mail.example\r\nTo: b@mx.example\r\nSubject: offer\r\n\r\nbuy now\r\n');
    const imported = loaded(['--db', db, '--actor', 'Ana', 'samples', 'import', message]);
    assert.equal(imported.code, 0, imported.error);
    assert.ok(heavyIn(imported.modules).includes('mailparser'), 'the hook sees mailparser when it loads');
  });
});
