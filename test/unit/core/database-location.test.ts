/** Where the database is: REPDESK_DB, the location file, the default; and which paths can hold it. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  NODE_FILE_SYSTEM,
  databaseLocationProblem,
  formatLocationFile,
  parseLocationFile,
  resolveDatabaseLocation,
  type LocationFileSystem,
} from '../../../main/core/database-location.js';
import { defaultDataFolder, defaultDatabasePath } from '../../../main/core/paths.js';

const folder = mkdtempSync(join(tmpdir(), 'repdesk-location-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const existingDatabase = join(folder, 'existing.sqlite');
const database = new Database(existingDatabase);
database.exec('CREATE TABLE t (x INTEGER)');
database.close();
const textFile = join(folder, 'notes.txt');
writeFileSync(textFile, 'not a database\n');
const emptyFile = join(folder, 'empty.sqlite');
writeFileSync(emptyFile, '');
mkdirSync(join(folder, 'a-folder'));

test('an absolute path in an existing writable folder can hold the database: a new file, an SQLite file or an empty file', () => {
  assert.equal(databaseLocationProblem(join(folder, 'new.sqlite')), null);
  assert.equal(databaseLocationProblem(existingDatabase), null);
  assert.equal(databaseLocationProblem(emptyFile), null);
});

test('a relative path, a missing folder, a folder, or a file that is not SQLite is refused with the reason', () => {
  assert.equal(databaseLocationProblem('data/repdesk.sqlite'), 'data/repdesk.sqlite is not an absolute path');
  const missing = join(folder, 'missing', 'repdesk.sqlite');
  assert.equal(databaseLocationProblem(missing), `the folder ${join(folder, 'missing')} does not exist`);
  assert.match(databaseLocationProblem(join(folder, 'a-folder')) ?? '', /is a folder; choose a database file in it, or a new file name$/);
  assert.equal(databaseLocationProblem(textFile), `${textFile} is not an SQLite database`);
});

test('a folder the user cannot write to is refused', () => {
  const readOnly: LocationFileSystem = { ...NODE_FILE_SYSTEM, isWritableFolder: () => false };
  assert.equal(databaseLocationProblem(join(folder, 'new.sqlite'), readOnly), `the folder ${folder} is not writable`);
});

test('the location file is read back as written; anything else says what is wrong', () => {
  assert.deepEqual(parseLocationFile(formatLocationFile('/srv/repdesk/team.sqlite')), { path: '/srv/repdesk/team.sqlite' });
  assert.deepEqual(parseLocationFile('{'), { problem: 'location.json is not JSON' });
  assert.deepEqual(parseLocationFile('{"path": "/srv/x.sqlite"}'), { problem: 'location.json has no "databasePath" string' });
  assert.deepEqual(parseLocationFile('[]'), { problem: 'location.json has no "databasePath" string' });
});

test('REPDESK_DB wins, then a usable location file, then repdesk.sqlite in the data folder', () => {
  const locationText = formatLocationFile(existingDatabase);
  assert.deepEqual(resolveDatabaseLocation({ environmentPath: '/tmp/env.sqlite', dataFolder: folder, locationText }), { path: '/tmp/env.sqlite', source: 'REPDESK_DB', problem: null });
  assert.deepEqual(resolveDatabaseLocation({ environmentPath: undefined, dataFolder: folder, locationText }), { path: existingDatabase, source: 'location file', problem: null });
  assert.deepEqual(resolveDatabaseLocation({ environmentPath: '', dataFolder: folder, locationText: null }), { path: join(folder, 'repdesk.sqlite'), source: 'default', problem: null });
});

test('an unusable location file gives the default path and the reason', () => {
  assert.deepEqual(resolveDatabaseLocation({ environmentPath: undefined, dataFolder: folder, locationText: formatLocationFile(textFile) }), {
    path: join(folder, 'repdesk.sqlite'),
    source: 'default',
    problem: `location.json names an unusable database: ${textFile} is not an SQLite database`,
  });
  assert.equal(resolveDatabaseLocation({ environmentPath: undefined, dataFolder: folder, locationText: 'nonsense' }).problem, 'location.json is not JSON');
});

test('the CLI follows the same location file, and stops on an unusable one instead of opening another database', () => {
  const names = ['HOME', 'XDG_CONFIG_HOME', 'APPDATA', 'REPDESK_DB'] as const;
  const saved = names.map((name) => process.env[name]);
  for (const name of names) process.env[name] = folder;
  delete process.env.REPDESK_DB;
  try {
    const dataFolder = defaultDataFolder();
    assert.ok(dataFolder.startsWith(folder));
    mkdirSync(dataFolder, { recursive: true });
    assert.equal(defaultDatabasePath(), join(dataFolder, 'repdesk.sqlite'));
    writeFileSync(join(dataFolder, 'location.json'), formatLocationFile(existingDatabase));
    assert.equal(defaultDatabasePath(), existingDatabase);
    writeFileSync(join(dataFolder, 'location.json'), formatLocationFile(join(folder, 'a-folder')));
    assert.throws(() => defaultDatabasePath(), /location\.json names an unusable database: .* is a folder.*set REPDESK_DB\)$/);
    process.env.REPDESK_DB = '/tmp/env.sqlite';
    assert.equal(defaultDatabasePath(), '/tmp/env.sqlite');
  } finally {
    names.forEach((name, index) => {
      if (saved[index] === undefined) delete process.env[name];
      else process.env[name] = saved[index];
    });
  }
});
