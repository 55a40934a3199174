/**
 * Hostile spam through the import and the viewer: MIME nested 1,000 levels deep, a 10 MB header,
 * 100,000 parts, a zip bomb attached, a 31 MB message with a 22 MB attachment, and HTML that
 * tries every way to load or run something. Each is stored (it is a readable message) with its
 * problems as notes; each import runs in a process of its own, whose peak resident memory may
 * rise by at most the bound the README states (16 times evidence.maxMessageBytes, 512 MiB at
 * the default; the hostile structures, all small messages, at most 256 MiB); the viewer reads
 * each again; and the HTML reaches the viewer with nothing left that loads or runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResult } from '../../../shared/result.js';
import type { SampleImportResult } from '../../../shared/evidence.js';
import { defaultSettings } from '../../../shared/settings.js';
import { createCore } from '../../../main/core/app.js';
import { sanitiseHtml } from '../../../main/core/evidence/html.js';
import { deeplyNested, hostileHtml, htmlMessage, hugeHeader, manyParts, withZipAttachment, zipBomb } from '../support/hostile-mail.js';

const PEAK_SCRIPT = fileURLToPath(new URL('../support/import-peak.js', import.meta.url));
const MiB = 1024 * 1024;
/** The README's bound: the peak may rise by at most 16 times the largest message allowed. */
const BOUND = 16 * defaultSettings().evidence.maxMessageBytes;

interface PeakRun {
  readonly path: string;
  readonly result: ApiResult<SampleImportResult>;
  readonly risenKiB: number;
}

/** Import one file in a process of its own and return its outcome and how far the peak memory rose. */
function importAlone(folder: string, path: string): PeakRun {
  const database = join(folder, `${path.split('/').pop()}.sqlite`);
  const output = execFileSync(process.execPath, ['--expose-gc', PEAK_SCRIPT, database, path], { encoding: 'utf8', maxBuffer: 64 * MiB, env: { ...process.env, REPDESK_LOG_LEVEL: 'error' } });
  const [run] = JSON.parse(output) as PeakRun[];
  return { ...run, path: database };
}

describe('hostile spam', () => {
  let folder: string;
  const files = new Map<string, string>();
  const runs = new Map<string, PeakRun>();

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'repdesk-hostile-'));
    const write = (name: string, bytes: Buffer) => {
      const path = join(folder, name);
      writeFileSync(path, bytes);
      files.set(name, path);
    };
    write('nested.eml', deeplyNested(1000));
    write('header.eml', hugeHeader(10 * 1000 * 1000));
    write('parts.eml', manyParts(100_000));
    write('zip-bomb.eml', withZipAttachment(await zipBomb(256 * MiB)));
    write('html.eml', htmlMessage(hostileHtml('http://127.0.0.2:9')));
    const attachment = randomBytes(22 * MiB).toString('base64').replace(/.{76}/g, '$&\r\n');
    write(
      'big.eml',
      Buffer.from(
        ['From: a@prize.example', 'Subject: big', 'Date: Thu, 26 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="B"', '', '--B', 'Content-Type: text/plain', '', 'see attached', '--B', 'Content-Type: application/octet-stream; name="huge.bin"', 'Content-Transfer-Encoding: base64', '', attachment, '--B--', ''].join('\r\n'),
      ),
    );
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  const cases: ReadonlyArray<readonly [name: string, what: string, notes: RegExp[], bound: number]> = [
    ['nested.eml', 'MIME nested 1,000 levels deep', [/nested deeper than 50 levels/, /MIME not fully read \(Max allowed child nodes exceeded\)/], 256 * MiB],
    ['header.eml', 'a 10 MB header', [/a header block over 1\.0 MiB: its MIME structure is not read/, /header lines over 4 KiB/], 256 * MiB],
    ['parts.eml', '100,000 parts', [/more than 1,000 MIME parts: only the first 1,000 are examined/, /only the first 1\.0 MiB of the body is shown/], 256 * MiB],
    ['zip-bomb.eml', 'a zip bomb attached (256 MiB of zeros in a ZIP)', [], 256 * MiB],
    ['html.eml', 'HTML with scripts, remote loads, CSS url(), meta refresh and SVG with script', [], 256 * MiB],
    ['big.eml', 'a 31 MB message with a 22 MB attachment', [], BOUND],
  ];

  for (const [name, what, notes, bound] of cases) {
    test(`${what}: stored with its notes, the peak memory rising less than ${bound / MiB} MiB`, () => {
      const run = importAlone(folder, files.get(name) as string);
      runs.set(name, run);
      assert.ok(run.result.ok, run.result.ok ? '' : run.result.error.message);
      const [message] = run.result.value.messages;
      assert.equal(message.outcome, 'imported', message.problem ?? '');
      assert.equal(run.result.value.committed, true);
      for (const note of notes) assert.ok(message.notes.some((text) => note.test(text)), `${note} in ${JSON.stringify(message.notes)}`);
      assert.ok(run.risenKiB * 1024 < bound, `the peak rose ${(run.risenKiB / 1024).toFixed(0)} MiB`);
    });
  }

  test('the viewer reads each stored hostile sample again, whole: attachments listed, never unpacked', async () => {
    for (const [name] of cases) {
      const run = runs.get(name);
      assert.ok(run, `${name} was imported`);
      const core = createCore({ databasePath: run.path });
      try {
        const id = run.result.ok ? (run.result.value.messages[0].sampleId as number) : 0;
        const detail = await core.dispatch('samples.get', { id }, { actor: 'Ana' });
        assert.ok(detail.ok, `${name}: ${detail.ok ? '' : detail.error.message}`);
        assert.ok(detail.value.text.length <= 1024 * 1024 + 1, `${name}: the text is cut at 1 MiB`);
        if (name === 'zip-bomb.eml') {
          assert.deepEqual(
            detail.value.attachments.map((attachment) => [attachment.fileName, attachment.contentType]),
            [['invoice.zip', 'application/zip']],
          );
          assert.ok(detail.value.attachments[0].size < MiB, 'the ZIP as attached, not what it would unpack to');
        }
        if (name === 'html.eml') {
          // A blocked image keeps its address only as inert text (data-blocked-source), a link its target as a title.
          const html = (detail.value.html ?? '').replace(/ (data-blocked-source|title)="[^"]*"/g, '');
          assert.match(html, /Hello <b>winner<\/b>/);
          for (const forbidden of ['<script', '<svg', '<style', '<meta', '<base', '<iframe', '<object', '<embed', '<form', '<link', 'url(', '@import', 'srcset', 'onload', 'onerror', 'postMessage', 'style=', ' src="http', 'href=', '127.0.0.2', 'tracker.example']) {
            assert.ok(!html.includes(forbidden), `${forbidden} in the HTML the viewer gets: ${html}`);
          }
        }
      } finally {
        core.close();
      }
    }
  });

  test('the sanitiser alone: SVG with a script, CSS url() and @import, meta refresh, handlers and remote images leave nothing', () => {
    const { html: sanitised, links } = sanitiseHtml(hostileHtml('http://witness.example'));
    assert.match(sanitised, /<img data-blocked-source="http:\/\/witness\.example\/pixel\.gif">/);
    const html = sanitised.replace(/ (data-blocked-source|title)="[^"]*"/g, '');
    assert.doesNotMatch(html, /witness\.example|tracker\.example|evil\.example|<script|<svg|<style|url\(|@import|on(load|error)=|<meta|srcset|<base/);
    assert.deepEqual(links, [{ text: 'Your bank', target: 'http://phish.example/login' }]);
  });
});
