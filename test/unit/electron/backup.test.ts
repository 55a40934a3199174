/**
 * The desktop app's backup (main/electron/backup.ts): from a team server, the real one (startTeamServer
 * on its threaded core), downloaded by an admin into the file the save dialog answered, with the
 * checkpoints and their key beside it, and the copy verifies; someone without the admin role is
 * refused and nothing is written; declined in the dialog, nothing happens; on this computer, the
 * app's own database is copied the same way; not signed in, it says so before asking where.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { RemoteClient } from '../../../main/client/remote-client.js';
import { ServerWire } from '../../../main/client/transport.js';
import { backupFileName, saveBackup } from '../../../main/electron/backup.js';
import type { BackupSource } from '../../../main/electron/connection.js';
import { startTeamHarness, type TeamServerHarness } from '../../integration/support/team-server.js';
import { ok } from '../support/results.js';

let team: TeamServerHarness;
let folder: string;
const wires: ServerWire[] = [];

/** The desktop's side of a signed-in session on the team server. */
function teamSource(token: string): BackupSource {
  const wire = new ServerWire(team.origin, { kind: 'system' });
  wires.push(wire);
  return { kind: 'team', server: team.origin, client: new RemoteClient({ wire, client: 'desktop', token: () => token, userAgent: 'RepDesk/test (desktop)' }) };
}

async function verifies(path: string): Promise<{ ok: boolean; anchors: number }> {
  const core = createCore({ databasePath: path });
  try {
    const report = await ok(core.dispatch('audit.verify', {}, { actor: null }));
    return { ok: report.ok, anchors: report.anchors.length };
  } finally {
    core.close();
  }
}

before(async () => {
  team = await startTeamHarness();
  folder = mkdtempSync(join(tmpdir(), 'repdesk-desktop-backup-'));
  await team.call('listings.add', { range: '45.50.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token });
});

after(async () => {
  for (const wire of wires) wire.close();
  await team.stop();
  rmSync(folder, { recursive: true, force: true });
});

test("an admin's backup from the team server lands where the dialog said, with its checkpoints beside it, and verifies", async () => {
  const target = join(folder, backupFileName(new Date()));
  assert.match(target, /repdesk-backup-\d{4}-\d\d-\d\d\.sqlite$/);
  const saved = await saveBackup(teamSource(team.admin.token), async () => target);
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.equal(saved.value.path, target);
  assert.ok(existsSync(target));
  assert.equal(saved.value.checkpoints > 0, existsSync(`${target}.checkpoints`));
  assert.deepEqual((await verifies(target)).ok, true);
  // Recorded as the session's (the harness's admin signed in as a command line).
  assert.deepEqual(team.rows("SELECT actor, client FROM events WHERE action = 'backup.downloaded'"), [{ actor: 'Ada', client: 'cli' }]);
});

test('someone without the admin role is refused and nothing is written; declined in the dialog, nothing is asked of the server', async () => {
  const iva = await team.person('Iva', ['investigator'], { client: 'desktop' });
  const target = join(folder, 'not-for-iva.sqlite');
  const refused = await saveBackup(teamSource(iva.token), async () => target);
  assert.ok(!refused.ok && refused.error.code === 'forbidden' && /only an admin/.test(refused.error.message), JSON.stringify(refused));
  assert.deepEqual(readdirSync(folder).filter((name) => name.includes('not-for-iva')), []);
  const before = team.rows("SELECT count(*) AS count FROM events WHERE action = 'backup.downloaded'");
  const declined = await saveBackup(teamSource(team.admin.token), async () => null);
  assert.ok(!declined.ok && declined.error.code === 'cancelled');
  assert.deepEqual(team.rows("SELECT count(*) AS count FROM events WHERE action = 'backup.downloaded'"), before);
});

test("on this computer the app's own database is copied; not signed in anywhere, it says so before asking where", async () => {
  const database = join(folder, 'mine.sqlite');
  const core = createCore({ databasePath: database });
  await ok(core.dispatch('investigators.add', { name: 'Ana', roles: ['investigator'] }, { actor: null }));
  core.close();
  const saved = await saveBackup({ kind: 'embedded', database }, async () => join(folder, 'mine-backup.sqlite'));
  assert.ok(saved.ok, JSON.stringify(saved));
  assert.equal((await verifies(join(folder, 'mine-backup.sqlite'))).ok, true);
  let asked = false;
  const none = await saveBackup({ kind: 'none', problem: 'sign in to https://repdesk.example first' }, async () => {
    asked = true;
    return join(folder, 'never.sqlite');
  });
  assert.ok(!none.ok && none.error.code === 'unauthenticated');
  assert.equal(asked, false);
});
