/**
 * End-to-end harness: a real SQLite database seeded through the real CLI, the real HTTP server
 * serving the built renderer, and Debian's Chromium driven by playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page, type Request } from 'playwright-core';
import { runCli } from '../../main/cli/main.js';
import { createCore, type Core } from '../../main/core/app.js';
import type { MinisignKeyPair } from '../../main/core/snapshot/index.js';
import { startServer, type RunningServer } from '../../main/server/server.js';
import { openThreadedCore } from '../../main/core/writer/threaded-core.js';
import { after, before } from 'node:test';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Compiled to dist/test/e2e-support; the built renderer is dist/renderer. */
export const RENDERER_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../renderer');

/** The repository root (for test-output/). */
export const PROJECT_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the e2e tests leave their screenshots (light and dark of the main screens), to look at after a run. */
export const SCREENSHOT_FOLDER = join(PROJECT_FOLDER, 'test-output', 'screenshots');

/** Save what the page (or one element of it) shows as test-output/screenshots/NAME.png. */
export async function saveScreenshot(shown: Page | Locator, name: string, options: { readonly fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_FOLDER, { recursive: true });
  await shown.screenshot({ path: join(SCREENSHOT_FOLDER, `${name}.png`), ...options });
}

/** Run one `repdesk` command in-process against the database; throws with its output on failure. */
export async function repdesk(databasePath: string, ...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const code = await runCli(['--db', databasePath, ...argv], { out: (line) => lines.push(line), error: (line) => lines.push(line) });
  if (code !== 0) throw new Error(`repdesk ${argv.join(' ')} exited ${code}:\n${lines.join('\n')}`);
  return lines;
}

/** A fresh folder for one test's database (and snapshots). */
export function makeTestFolder(): { folder: string; databasePath: string } {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-e2e-'));
  return { folder, databasePath: join(folder, 'repdesk.db') };
}

/** The Lookup team and listings: Alice (the first person, so also admin) and Rosa, a reviewer. */
export async function seedLookupTeam(databasePath: string): Promise<void> {
  await repdesk(databasePath, 'investigator', 'add', 'Alice', '--roles', 'investigator,liaison,publisher');
  await repdesk(databasePath, '--actor', 'Alice', 'investigator', 'add', 'Rosa', '--roles', 'reviewer');
  await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '82.0.2.0/24', '--list', 'RBL', '--reason', 'spam-source', '--txt', 'Spam source, see https://lookup.example/ip/$');
  await repdesk(databasePath, '--actor', 'Alice', 'listing', 'add', '82.0.0.0/16', '--list', 'DUL', '--reason', 'dynamic', '--txt', 'Dynamic range of Example ISP');
  await repdesk(databasePath, '--actor', 'Rosa', 'listing', 'add', '88.51.100.25', '--list', 'GAL', '--reason', 'approved');
}

/** A fresh folder with a database holding one team and a few listings. */
export async function seedDatabase(): Promise<{ folder: string; databasePath: string }> {
  const made = makeTestFolder();
  await seedLookupTeam(made.databasePath);
  return made;
}

/** Whether a URL is served from loopback (the only place the page may talk to). */
export function isLoopback(url: string): boolean {
  if (url.startsWith('data:') || url === 'about:blank') return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

export interface PageProblems {
  /** Console errors and warnings, uncaught page errors and Content-Security-Policy violations. */
  readonly errors: string[];
  /**
   * API calls the server refused with a 4xx status, which Chromium logs to the console as
   * "Failed to load resource" although the app handles them: kept apart so a test can assert
   * they are exactly the refusals it provoked.
   */
  readonly refusedCalls: string[];
  /** Every request the page made, and those that did not go to 127.0.0.1. */
  readonly requests: string[];
  readonly foreignRequests: string[];
}

const REFUSED_CALL = /^Failed to load resource: the server responded with a status of (4\d\d)/;

async function watchPage(page: Page, problems: PageProblems): Promise<void> {
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const refused = REFUSED_CALL.exec(message.text());
    const url = message.location().url;
    if (refused && new URL(url, 'http://127.0.0.1').pathname.startsWith('/api/')) problems.refusedCalls.push(`${refused[1]} ${new URL(url).pathname}`);
    else problems.errors.push(`console ${message.type()}: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error: Error) => problems.errors.push(`page error: ${error.message}`));
  page.on('request', (request: Request) => {
    problems.requests.push(request.url());
    if (!isLoopback(request.url())) problems.foreignRequests.push(request.url());
  });
  // Chromium also logs violations to the console; the event is the page's own, independent witness.
  await page.exposeFunction('reportPolicyViolation', (text: string) => problems.errors.push(`CSP violation: ${text}`));
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
    window.reportPolicyViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' in ' + event.sourceFile + ':' + event.lineNumber);
  });`);
}

/** One person's view of the app: a core and server bound to them, and a page of their own. */
export interface Session {
  readonly actor: string;
  readonly core: Core;
  readonly server: RunningServer;
  /** A browser context of its own: its own sessionStorage, so its own token. */
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: PageProblems;
  /** The server's root, without the token. */
  readonly origin: string;
}

export interface Harness extends Session {
  readonly folder: string;
  readonly databasePath: string;
  /** Where publish.run writes snapshots (when the harness holds a signing key). */
  readonly snapshotFolder: string;
  readonly browser: Browser;
  /**
   * Another person on the same database file, as a second desktop would be: their own core
   * (with the same signing key, if any), server and page. Closed with the harness.
   */
  openSession(actor: string): Promise<Session>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Fills the new database; by default the Lookup team and listings. */
  readonly seed?: (databasePath: string) => Promise<void>;
  /** Whom the first server acts for (default Alice). */
  readonly actor?: string;
  /** Loads this key into every core, so `publish.run` can sign; without it publishing is refused. */
  readonly signingKey?: MinisignKeyPair;
  /**
   * The cores' clock (test-only: createCore's `now`, which only tests pass; the app and the CLI
   * always use the real time). A test moves it forward to see what happens after a date.
   */
  readonly now?: () => Date;
}

/** Seed a database, start the server as the chosen actor, and open a Chromium page on it (not yet navigated). */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: install Debian's chromium: apt-get install -y chromium`);
  if (!existsSync(join(RENDERER_FOLDER, 'index.html'))) {
    throw new Error(`the renderer is not built (no ${join(RENDERER_FOLDER, 'index.html')}): run npx vite build --config renderer/vite.config.ts`);
  }
  const { folder, databasePath } = makeTestFolder();
  const snapshotFolder = join(folder, 'snapshots');
  // Closed in reverse: pages and browser, servers, databases, then the folder.
  const closers: (() => Promise<void> | void)[] = [() => rmSync(folder, { recursive: true, force: true })];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    await (options.seed ?? seedLookupTeam)(databasePath);
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    closers.push(() => browser.close());
    const { signingKey } = options;
    const openSession = async (actor: string): Promise<Session> => {
      // As `repdesk serve` runs: a server's core (writer thread, read-only reader), unless the test moves the clock.
      const threaded = options.now ? null : await openThreadedCore({ databasePath, snapshotFolder, signingKey: signingKey && (() => signingKey) });
      const core = threaded ?? createCore({ databasePath, snapshotFolder, signingKey: signingKey && (() => signingKey), now: options.now });
      closers.push(async () => {
        core.close();
        await threaded?.closed();
      });
      const server = await startServer({ core, call: { actor }, port: 0, staticFolder: RENDERER_FOLDER });
      closers.push(() => server.close());
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      closers.push(() => context.close());
      const page = await context.newPage();
      const problems: PageProblems = { errors: [], refusedCalls: [], requests: [], foreignRequests: [] };
      await watchPage(page, problems);
      return { actor, core, server, context, page, problems, origin: `http://127.0.0.1:${server.port}` };
    };
    const first = await openSession(options.actor ?? 'Alice');
    return { ...first, folder, databasePath, snapshotFolder, browser, openSession, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * One harness for the tests of a file: started before them (handed to `use`), closed after them.
 *
 *   let harness: Harness;
 *   harnessForFile((started) => (harness = started), { actor: 'Ana' });
 */
export function harnessForFile(use: (harness: Harness) => void, options: HarnessOptions = {}): void {
  let started: Harness | undefined;
  before(async () => {
    started = await startHarness(options);
    use(started);
  });
  after(async () => {
    await started?.close();
  });
}
