/**
 * People and sign-in through the command line: an admin invites, the person enrols (the real
 * bin/repdesk.js with the passphrase piped in twice, never on the command line; and in process
 * with an authenticator code), the team list shows who is enrolled with what, and sessions are
 * listed and ended.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Invitation, PersonView, SessionView } from '../../shared/team.js';
import { runCli } from '../../main/cli/main.js';
import { createCore } from '../../main/core/app.js';
import { base32Decode, totp } from '../../main/core/auth/totp.js';
import { describeRun, repdesk, repdeskJson } from './support/cli.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/repdesk.js');

describe('repdesk investigator invite / enrol / team list / sessions', () => {
  const folder = mkdtempSync(join(tmpdir(), 'repdesk-cli-team-'));
  const database = join(folder, 'repdesk.sqlite');
  const db = ['--db', database];
  const admin = [...db, '--actor', 'Ada'];

  before(async () => {
    const run = await repdesk([...db, 'investigator', 'add', 'Ada', '--roles', 'investigator']);
    assert.equal(run.code, 0, describeRun(run));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  test('invite prints the code once; the real binary enrols with the passphrase piped in (twice), and refuses the code again', async () => {
    const invite = await repdesk([...admin, 'investigator', 'invite', 'Bea', '--roles', 'investigator,reviewer']);
    assert.equal(invite.code, 0, describeRun(invite));
    assert.equal(invite.out[0], 'invited Bea (investigator, reviewer)');
    const code = /^enrolment code: (\S+)$/.exec(invite.out[1])?.[1] ?? '';
    assert.match(code, /^[a-z2-7-]{38}$/);
    assert.match(invite.out[2], /^valid until \d{4}-\d\d-\d\dT.*it is shown only now/);
    const passphrase = 'bea reads maps by candlelight';
    const enrol = (input: string) => spawnSync(process.execPath, [BIN, '--db', database, 'enrol', code], { input, encoding: 'utf8', timeout: 60_000 });
    const mismatch = enrol(`${passphrase}\n${passphrase}!\n`);
    assert.equal(mismatch.status, 1, mismatch.stderr);
    assert.match(mismatch.stderr, /the two passphrases differ: nothing was changed/);
    const enrolled = enrol(`${passphrase}\n${passphrase}\n`);
    assert.equal(enrolled.status, 0, enrolled.stderr);
    assert.match(enrolled.stdout, /^Enrolling Bea \(investigator, reviewer\); the code is valid until .* at least 12 characters\.\nBea is enrolled\.\n$/);
    assert.ok(!enrolled.stdout.includes(passphrase) && !enrolled.stderr.includes(passphrase), 'the passphrase is not echoed');
    assert.match(enrolled.stderr, /New passphrase: .*The same passphrase again: /s);
    const again = enrol(`${passphrase}\n${passphrase}\n`);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /repdesk: this enrolment code was already used .*ask an admin for a new enrolment code/);
    // The passphrase works.
    const core = createCore({ databasePath: database });
    try {
      const signedIn = await core.dispatch('auth.signIn', { name: 'Bea', passphrase }, { actor: null, client: 'cli' });
      assert.ok(signedIn.ok, JSON.stringify(signedIn));
    } finally {
      core.close();
    }
  });

  test('enrol --totp shows the otpauth URI, asks the code, prints the recovery codes once; --passphrase-file works; team list and sessions follow', async () => {
    const invitation = await repdeskJson<Invitation>([...admin, 'investigator', 'invite', 'Cai', '--roles', 'publisher']);
    const passphraseFile = join(folder, 'cai.pass');
    writeFileSync(passphraseFile, 'cai counts gulls on the pier\nsecond line ignored\n', { mode: 0o600 });
    const out: string[] = [];
    const questions: string[] = [];
    const code = await runCli([...db, 'enrol', invitation.code, '--totp', '--passphrase-file', passphraseFile], {
      out: (line) => out.push(line),
      error: (line) => out.push(`ERROR ${line}`),
      prompt: async (question, options) => {
        questions.push(`${question}${options?.hidden ? ' (hidden)' : ''}`);
        const uri = out.find((line) => line.includes('otpauth://')) ?? '';
        const secret = new URL(uri.slice(uri.indexOf('otpauth://'))).searchParams.get('secret') ?? '';
        return totp(base32Decode(secret), Date.now());
      },
    });
    assert.equal(code, 0, out.join('\n'));
    assert.deepEqual(questions, ['The 6-digit code the app shows now: '], 'the passphrase came from the file, only the code was asked');
    assert.match(out.join('\n'), /Add this account to your authenticator app .*otpauth:\/\/totp\/RepDesk:Cai\?secret=/);
    assert.equal(out.filter((line) => /^ {2}[a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]{5}-[a-z2-7]$/.test(line)).length, 10, out.join('\n'));
    const people = await repdeskJson<PersonView[]>([...admin, 'team', 'list']);
    assert.deepEqual(
      people.map((person) => [person.name, person.isEnrolled, person.hasSecondFactor, person.recoveryCodesLeft]),
      [
        ['Ada', false, false, 0],
        ['Bea', true, false, 0],
        ['Cai', true, true, 10],
      ],
    );
    const text = await repdesk([...admin, 'team', 'list']);
    assert.match(text.out.join('\n'), /^Cai\tpublisher\tenrolled; second factor \(10 recovery codes left\); 0 sessions$/m);
    const refused = await repdesk([...db, '--actor', 'Bea', 'team', 'list']);
    assert.equal(refused.code, 1);
    assert.match(refused.error[0], /Bea does not have the admin role/);

    const core = createCore({ databasePath: database });
    let sessionId = 0;
    try {
      const signedIn = await core.dispatch('auth.signIn', { name: 'Bea', passphrase: 'bea reads maps by candlelight' }, { actor: null, client: 'browser', address: '81.2.69.160' });
      assert.ok(signedIn.ok);
      sessionId = signedIn.value.session.id;
    } finally {
      core.close();
    }
    const listed = await repdesk([...admin, 'sessions', 'list']);
    assert.match(listed.out.join('\n'), new RegExp(`^#${sessionId}\\tBea\\tcookie\\tbrowser from 81\\.2\\.69\\.160\\tsince `, 'm'));
    const own = await repdeskJson<SessionView[]>([...db, '--actor', 'Cai', 'sessions', 'list']);
    assert.deepEqual(own, [], "Cai sees only Cai's sessions");
    const notTheirs = await repdesk([...db, '--actor', 'Cai', 'sessions', 'end', String(sessionId)]);
    assert.equal(notTheirs.code, 1);
    assert.match(notTheirs.error[0], /only an admin ends other people's sessions/);
    const ended = await repdesk([...admin, 'sessions', 'end', String(sessionId)]);
    assert.deepEqual(ended.out, [`ended session #${sessionId} of Bea`]);
    const left = (await repdesk([...admin, 'sessions', 'list'])).out;
    assert.ok(left.length === 1 && !left[0].startsWith(`#${sessionId}\t`) && left[0].includes('\tBea\tbearer\tcli\t'), `only the first test's CLI session is left: ${left.join('\n')}`);
    const bad = await repdesk([...admin, 'sessions', 'end', 'x1']);
    assert.equal(bad.code, 2);
    const reset = await repdesk([...admin, 'investigator', 'reset-second-factor', 'Cai']);
    assert.deepEqual(reset.out, ['Cai: second factor removed and sessions ended']);
  });
});
