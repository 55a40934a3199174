/**
 * Doyensec's Electronegativity over the shell's sources: every finding must be justified by a
 * comment `electronegativity: CHECK_ID...: why` on the lines just above it, so a new finding
 * fails the tests until it is fixed or explained next to the code.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHELL_FOLDER = fileURLToPath(new URL('../../../../main/electron/', import.meta.url));
const CLI = createRequire(import.meta.url).resolve('@doyensec/electronegativity/dist/index.js');
// Keeps the tool from fetching translations from the internet (see the script's comment).
const OFFLINE = fileURLToPath(new URL('../../../../scripts/electronegativity-offline.cjs', import.meta.url));
const output = mkdtempSync(join(tmpdir(), 'repdesk-electronegativity-'));
after(() => rmSync(output, { recursive: true, force: true }));

interface Finding {
  readonly check: string;
  readonly file: string;
  readonly line: number;
}

interface SarifReport {
  readonly runs: { readonly results: { readonly ruleId: string; readonly locations?: { readonly physicalLocation: { readonly artifactLocation: { readonly uri: string }; readonly region: { readonly startLine: number } } }[] }[] }[];
}

/**
 * Run it as `npm run security:electron` does (the releases check needs the network: left out).
 * SARIF, not CSV: version 1.10.3 sometimes writes a CSV report over its own first lines.
 */
function scan(folder: string): Finding[] {
  const report = join(output, `${Math.random().toString(36).slice(2)}.sarif`);
  const result = spawnSync(process.execPath, ['--require', OFFLINE, CLI, '-i', folder, '-r', '-e', '41.7.1', '-x', 'AvailableSecurityFixesGlobalCheck', '-o', report], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const sarif = JSON.parse(readFileSync(report, 'utf8')) as SarifReport;
  return sarif.runs.flatMap((run) =>
    run.results.map((finding) => {
      const location = finding.locations?.[0]?.physicalLocation;
      return { check: finding.ruleId, file: location?.artifactLocation.uri ?? 'file:///', line: location?.region.startLine ?? 0 };
    }),
  );
}

/** A global finding names no file (a missing policy, say): nothing can justify it but a fix. */
function isJustified(finding: Finding, folder: string): boolean {
  if (finding.file.startsWith('file:')) return false;
  const source = readFileSync(join(folder, finding.file), 'utf8').split('\n');
  const above = source.slice(Math.max(0, finding.line - 5), finding.line).join('\n');
  return new RegExp(`electronegativity: [A-Z_, ]*\\b${finding.check}\\b[A-Z_, ]*: \\S`).test(above);
}

test('every Electronegativity finding in the shell is justified next to the code', () => {
  const findings = scan(SHELL_FOLDER);
  const unjustified = findings.filter((finding) => !isJustified(finding, SHELL_FOLDER));
  assert.deepEqual(unjustified, []);
});

test('an unjustified finding is caught, a justified one is not', () => {
  const folder = mkdtempSync(join(output, 'sample-'));
  writeFileSync(
    join(folder, 'window.ts'),
    [
      "import { BrowserWindow, shell } from 'electron';",
      'export function open(url: string) {',
      '  // electronegativity: OPEN_EXTERNAL_JS_CHECK: the sample justifies this one.',
      '  void shell.openExternal(url);',
      '  return new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });',
      '}',
      '',
    ].join('\n'),
  );
  const findings = scan(folder);
  const checks = (list: Finding[]) => [...new Set(list.map((finding) => finding.check))].sort();
  assert.ok(checks(findings).includes('OPEN_EXTERNAL_JS_CHECK') && checks(findings).includes('CONTEXT_ISOLATION_JS_CHECK'), JSON.stringify(findings));
  const unjustified = findings.filter((finding) => !isJustified(finding, folder));
  assert.ok(!checks(unjustified).includes('OPEN_EXTERNAL_JS_CHECK'));
  for (const check of ['CONTEXT_ISOLATION_JS_CHECK', 'NODE_INTEGRATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK']) {
    assert.ok(checks(unjustified).includes(check), `${check} not caught: ${JSON.stringify(unjustified)}`);
  }
});
