/**
 * Invitations and enrolment at the core: a one-time code shown once and kept as a hash, the
 * passphrase rules (length, the common-password list, not one's name), the TOTP second factor
 * with recovery codes, and every way a code is refused (replayed, expired, replaced) with
 * nothing changed.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../main/core/app.js';
import { commonPasswords } from '../../../main/core/auth/common-passwords.js';
import { SCRYPT_PARAMETERS } from '../../../main/core/auth/passphrase.js';
import { secretOf, teamCore, type TeamCore } from '../support/team.js';
import { ok, refused } from '../support/results.js';

const HOUR = 3_600_000;

describe('enrolment', () => {
  let team: TeamCore;

  beforeEach(async () => {
    team = await teamCore();
  });

  afterEach(() => team.close());

  const anonymous = { actor: null };

  test('an admin invites a new person: the code is shown once, only its hash is kept, and the history says who invited whom', async () => {
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea', roles: ['investigator', 'reviewer'] }, team.admin));
    assert.equal(invitation.name, 'Bea');
    assert.deepEqual(invitation.roles, ['investigator', 'reviewer']);
    assert.equal(invitation.expiresAt, new Date(team.clock + 72 * HOUR).toISOString(), 'valid for auth.enrolmentHours (72 by default)');
    const { enrolments, events } = team.tables('enrolments', 'events');
    assert.equal(enrolments.length, 1);
    const stored = enrolments[0] as { code_hash: Buffer };
    assert.deepEqual(stored.code_hash, createHash('sha256').update(invitation.code.replace(/-/g, '')).digest());
    assert.ok(!JSON.stringify(enrolments).includes(invitation.code.replace(/-/g, '')), 'the code itself is not stored');
    assert.ok(!JSON.stringify(events).includes(invitation.code.replace(/-/g, '')) && !JSON.stringify(events).includes(invitation.code), 'nor is it in the history');
    const actions = (events as { action: string; actor: string }[]).slice(-2).map((event) => [event.actor, event.action]);
    assert.deepEqual(actions, [
      ['Ada', 'investigator.added'],
      ['Ada', 'investigator.invited'],
    ]);
    const people = await ok(team.core.dispatch('team.people', {}, team.admin));
    assert.deepEqual(
      people.map((person) => [person.name, person.isEnrolled, person.invitationExpiresAt]),
      [
        ['Ada', false, null],
        ['Bea', false, invitation.expiresAt],
      ],
    );
  });

  test('only admins invite; a new person needs roles; an existing one keeps theirs', async () => {
    await ok(team.core.dispatch('investigators.add', { name: 'Ivo', roles: ['investigator'] }, team.admin));
    const before = team.tables('investigators', 'enrolments', 'events');
    await refused(team.core.dispatch('team.invite', { name: 'Bea', roles: ['investigator'] }, { actor: 'Ivo' }), 'forbidden', /admin role/);
    await refused(team.core.dispatch('team.invite', { name: 'Bea', roles: ['investigator'] }, anonymous), 'forbidden', /say who you are/);
    await refused(team.core.dispatch('team.invite', { name: 'Bea' }, team.admin), 'invalid-input', /give their roles/);
    await refused(team.core.dispatch('team.invite', { name: 'Ivo', roles: ['publisher'] }, team.admin), 'conflict', /already on the team as investigator/);
    await refused(team.core.dispatch('team.invite', { name: 'Bea <script>', roles: ['investigator'] }, team.admin), 'invalid-input', /letters, digits/);
    assert.deepEqual(team.tables('investigators', 'enrolments', 'events'), before);
    // Someone already on the team (embedded mode's people are the accounts) gets a code without naming roles.
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'ivo' }, team.admin));
    assert.equal(invitation.name, 'Ivo');
    assert.deepEqual(invitation.roles, ['investigator']);
  });

  test('on a database with nobody on the team, the first person invited is added as an admin and invites themselves (a new team server); after that only admins invite', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'repdesk-first-admin-'));
    const core = createCore({ databasePath: join(folder, 'repdesk.sqlite') });
    try {
      await refused(core.dispatch('team.invite', { name: 'Ana' }, anonymous), 'invalid-input', /first person on the team: give their roles/);
      const invitation = await ok(core.dispatch('team.invite', { name: 'Ana', roles: ['publisher'] }, anonymous));
      assert.deepEqual(invitation.roles, ['publisher', 'admin']);
      const events = (await ok(core.dispatch('investigators.list', {}, anonymous))).map((person) => [person.name, person.roles]);
      assert.deepEqual(events, [['Ana', ['publisher', 'admin']]]);
      await refused(core.dispatch('team.invite', { name: 'Bo', roles: ['investigator'] }, anonymous), 'forbidden', /say who you are/);
      await ok(core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'ana folds paper cranes by the river' }, anonymous));
      await ok(core.dispatch('auth.signIn', { name: 'Ana', passphrase: 'ana folds paper cranes by the river' }, { actor: null, client: 'cli' }));
    } finally {
      core.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('enrolling: the code opens the enrolment, a passphrase and the authenticator code complete it, recovery codes are shown once', async () => {
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea', roles: ['publisher'] }, team.admin));
    const start = await ok(team.core.dispatch('auth.enrolStart', { code: invitation.code.toUpperCase().replace(/-/g, ' ') }, anonymous));
    assert.equal(start.name, 'Bea');
    assert.deepEqual(start.roles, ['publisher']);
    assert.equal(start.minPassphraseLength, 12);
    assert.equal(start.secondFactorRequired, false);
    assert.match(start.otpauthUri, /^otpauth:\/\/totp\/RepDesk:Bea\?secret=[A-Z2-7]{32}&issuer=RepDesk&algorithm=SHA1&digits=6&period=30$/);
    assert.equal(start.totpSecret, new URL(start.otpauthUri).searchParams.get('secret'));
    // Opening it again shows the same secret (the app may already hold it).
    assert.equal((await ok(team.core.dispatch('auth.enrolStart', { code: invitation.code }, anonymous))).otpauthUri, start.otpauthUri);
    const secret = secretOf(start.otpauthUri);
    const passphrase = 'correct horse battery staple';
    const result = await ok(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase, totpCode: team.code(secret) }, anonymous));
    assert.equal(result.name, 'Bea');
    assert.equal(result.secondFactor, true);
    assert.equal(result.recoveryCodes?.length, 10);
    assert.equal(new Set(result.recoveryCodes).size, 10);
    const { credentials, recovery_codes: codes, events } = team.tables('credentials', 'recovery_codes', 'events');
    const row = credentials[0] as { kdf: string; kdf_parameters: string; salt: Buffer; hash: Buffer; totp_secret: Buffer };
    assert.equal(row.kdf, 'scrypt');
    assert.deepEqual(JSON.parse(row.kdf_parameters), SCRYPT_PARAMETERS);
    assert.equal(row.salt.length, 16);
    assert.equal(row.hash.length, 32);
    assert.deepEqual(row.totp_secret, secret);
    assert.equal(codes.length, 10);
    const everything = JSON.stringify([credentials, codes, events]);
    assert.ok(!everything.includes(passphrase) && !readFileSync(team.databasePath).includes(passphrase), 'the passphrase is stored nowhere in clear');
    for (const code of result.recoveryCodes ?? []) assert.ok(!everything.includes(code.replace(/-/g, '')), 'recovery codes are kept as hashes only');
    const last = (events as { actor: string; action: string; details: string }[]).at(-1);
    assert.deepEqual([last?.actor, last?.action, JSON.parse(last?.details ?? '{}')], ['Bea', 'investigator.enrolled', { name: 'Bea', secondFactor: true, sessionsEnded: 0 }]);
    const bea = (await ok(team.core.dispatch('team.people', {}, team.admin))).find((person) => person.name === 'Bea');
    assert.deepEqual(
      { isEnrolled: bea?.isEnrolled, hasSecondFactor: bea?.hasSecondFactor, recoveryCodesLeft: bea?.recoveryCodesLeft, invitationExpiresAt: bea?.invitationExpiresAt },
      { isEnrolled: true, hasSecondFactor: true, recoveryCodesLeft: 10, invitationExpiresAt: null },
    );
  });

  test('a code replayed after use, expired, replaced by a newer one, or made up is refused, and nothing changes', async () => {
    const used = await team.enrol('Bea', ['investigator']);
    const usedCode = (await ok(team.core.dispatch('team.invite', { name: 'Cai', roles: ['investigator'] }, team.admin))).code;
    await ok(team.core.dispatch('auth.enrol', { code: usedCode, passphrase: 'cai walks seven dogs uphill' }, anonymous));
    const expired = await ok(team.core.dispatch('team.invite', { name: 'Dan', roles: ['liaison'] }, team.admin));
    const replaced = await ok(team.core.dispatch('team.invite', { name: 'Eve', roles: ['liaison'] }, team.admin));
    const current = await ok(team.core.dispatch('team.invite', { name: 'Eve' }, team.admin));
    team.clock += 72 * HOUR - 1000;
    const stillValid = await ok(team.core.dispatch('auth.enrolStart', { code: expired.code }, anonymous));
    assert.equal(stillValid.name, 'Dan', 'valid until the last second');
    team.clock += 2000;
    const tables = ['investigators', 'credentials', 'recovery_codes', 'enrolments', 'sessions', 'events'];
    const before = team.tables(...tables);
    for (const operation of ['auth.enrolStart', 'auth.enrol'] as const) {
      const attempt = (code: string) => team.core.dispatch(operation, operation === 'auth.enrol' ? { code, passphrase: 'a perfectly fine passphrase' } : { code }, anonymous);
      await refused(attempt(usedCode), 'unauthenticated', /already used .*ask an admin for a new enrolment code/);
      await refused(attempt(expired.code), 'unauthenticated', /expired at .*ask an admin/);
      await refused(attempt(replaced.code), 'unauthenticated', /replaced by a newer one/);
      await refused(attempt('aaaaa-bbbbb-ccccc-ddddd-eeeee-fffff-gg'), 'unauthenticated', /no such enrolment code/);
    }
    assert.deepEqual(team.tables(...tables), before);
    assert.equal(used.name, 'Bea');
    // The newest code still works (invited before the clock moved: 72 hours from then).
    team.clock -= 2000;
    await ok(team.core.dispatch('auth.enrol', { code: current.code, passphrase: 'eve keeps bees on the roof' }, anonymous));
  });

  test('passphrase rules: too short, on the common-password list, or one\'s name are refused with nothing changed', async () => {
    assert.ok(commonPasswords().size >= 10_000, `the list has ${commonPasswords().size} entries`);
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea Lima', roles: ['investigator'] }, team.admin));
    const before = team.tables('credentials', 'enrolments', 'events');
    const attempt = (passphrase: string) => team.core.dispatch('auth.enrol', { code: invitation.code, passphrase }, anonymous);
    await refused(attempt('short one'), 'invalid-input', /too short: at least 12 characters \(it has 9\)/);
    await refused(attempt('            '), 'invalid-input', /only spaces/);
    for (const common of ['qwerty123456', 'QAZWSXEDCRFV', '1q2w3e4r5t6y', 'leavemealone']) await refused(attempt(common), 'invalid-input', /common passwords/);
    await refused(attempt('B.E.A L.I.M.A.'), 'invalid-input', /your name/);
    await refused(attempt('x'.repeat(1025)), 'invalid-input', /passphrase/);
    assert.deepEqual(team.tables('credentials', 'enrolments', 'events'), before);
    // The length setting is the rule.
    await ok(team.core.dispatch('settings.update', { auth: { minPassphraseLength: 20 } }, team.admin));
    await refused(attempt('nineteen characters'), 'invalid-input', /at least 20/);
    await ok(attempt('twenty characters ok'));
  });

  test('a wrong authenticator code, or one without opening the enrolment first, is refused and the code stays usable', async () => {
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea', roles: ['publisher'] }, team.admin));
    await refused(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: '123456' }, anonymous), 'invalid-input', /open the enrolment first/);
    const start = await ok(team.core.dispatch('auth.enrolStart', { code: invitation.code }, anonymous));
    const secret = secretOf(start.otpauthUri);
    const before = team.tables('credentials', 'recovery_codes', 'events');
    const wrong = String((Number(team.code(secret)) + 1) % 1_000_000).padStart(6, '0');
    await refused(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: wrong }, anonymous), 'unauthenticated', /wrong authenticator code/);
    await refused(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: team.code(secret, 3) }, anonymous), 'unauthenticated', /wrong authenticator code/);
    await refused(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: '12345' }, anonymous), 'invalid-input', /6 digits/);
    assert.deepEqual(team.tables('credentials', 'recovery_codes', 'events'), before);
    await ok(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: team.code(secret, -1) }, anonymous));
  });

  test('when the team requires a second factor for a role, enrolling without one is refused', async () => {
    await ok(team.core.dispatch('settings.update', { auth: { secondFactorRoles: ['publisher', 'admin'] } }, team.admin));
    const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea', roles: ['investigator', 'publisher'] }, team.admin));
    const start = await ok(team.core.dispatch('auth.enrolStart', { code: invitation.code }, anonymous));
    assert.equal(start.secondFactorRequired, true);
    await refused(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly' }, anonymous), 'invalid-input', /publisher role needs a second factor/);
    await ok(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: 'quiet rivers hum softly', totpCode: team.code(secretOf(start.otpauthUri)) }, anonymous));
    // An investigator is not asked.
    const investigator = await ok(team.core.dispatch('team.invite', { name: 'Cai', roles: ['investigator'] }, team.admin));
    assert.equal((await ok(team.core.dispatch('auth.enrolStart', { code: investigator.code }, anonymous))).secondFactorRequired, false);
    await refused(team.core.dispatch('settings.update', { auth: { secondFactorRoles: ['owner'] } }, team.admin), 'invalid-input', /secondFactorRoles/);
  });

  test('passphrases never reach the log, even at debug level and when a call fails', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const level = process.env.REPDESK_LOG_LEVEL;
    process.env.REPDESK_LOG_LEVEL = 'debug';
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const secrets = ['Sup3r-secret-passphrase!', 'qwerty123456', 'tiny', `${'z'.repeat(1030)}`];
    try {
      const invitation = await ok(team.core.dispatch('team.invite', { name: 'Bea', roles: ['investigator'] }, team.admin));
      for (const passphrase of secrets.slice(1)) await team.core.dispatch('auth.enrol', { code: invitation.code, passphrase }, anonymous);
      await ok(team.core.dispatch('auth.enrol', { code: invitation.code, passphrase: secrets[0] }, anonymous));
      await team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: 'Sup3r-secret-passphrase?' }, anonymous);
      await ok(team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: secrets[0] }, anonymous));
      await team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: secrets[3] }, anonymous);
      await team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: secrets[0], unexpected: true }, anonymous);
    } finally {
      process.stderr.write = write;
      if (level === undefined) delete process.env.REPDESK_LOG_LEVEL;
      else process.env.REPDESK_LOG_LEVEL = level;
    }
    const log = written.join('');
    assert.match(log, /info sign-in: sign-in failed for "Bea" from local \(no client\): wrong-passphrase/, 'the log was captured');
    for (const secret of [...secrets, 'Sup3r-secret-passphrase?']) assert.ok(!log.includes(secret.slice(0, 12)), `${secret.slice(0, 12)}… was logged`);
  });

  test('enrolling again (a new code) replaces the passphrase and second factor and ends the sessions', async () => {
    const bea = await team.enrol('Bea', ['investigator'], { secondFactor: true });
    team.clock += 30_000;
    const signedIn = await ok(team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: bea.passphrase, secondFactor: team.code(bea.secret as Buffer) }, { actor: null, client: 'cli' }));
    const again = await ok(team.core.dispatch('team.invite', { name: 'Bea' }, team.admin));
    await ok(team.core.dispatch('auth.enrol', { code: again.code, passphrase: 'a brand new passphrase here' }, anonymous));
    const session = team.core.authenticate(signedIn.token);
    assert.ok(!session.ok && session.error.code === 'unauthenticated' && /enrolled again/.test(session.error.message), JSON.stringify(session));
    await refused(team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: bea.passphrase }, { actor: null }), 'unauthenticated', /wrong name or passphrase/);
    const fresh = await ok(team.core.dispatch('auth.signIn', { name: 'Bea', passphrase: 'a brand new passphrase here' }, { actor: null }));
    assert.ok(fresh.token, 'no second factor any more: the passphrase alone signs in');
  });
});
