/**
 * Sign-in and sessions at the core, as the team server will use them: credentials to a session
 * token, `authenticate` for every later call, and each attack or mishap refused with its own
 * error code and nothing changed: a wrong or replayed TOTP code, brute force (locked, logged, and
 * still locked after a restart), an address spraying names, an expired, idle, ended or forged
 * session, a deactivated person, a role change.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SECOND_FACTOR_NEEDED } from '../../../shared/team.js';
import type { CallContext } from '../../../main/core/app.js';
import { START, teamCore, type Enrolled, type TeamCore } from '../support/team.js';
import { ok, refused } from '../support/results.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface EventRow {
  actor: string;
  action: string;
  subject_type: string;
  subject_id: number | null;
  details: string;
  client: string | null;
  address: string | null;
}

describe('sign-in and sessions', () => {
  let team: TeamCore;
  let bea: Enrolled;
  let cai: Enrolled;
  const from = (address: string, client: CallContext['client'] = 'browser'): CallContext => ({ actor: null, client, address });
  const browser = from('81.2.69.160');

  beforeEach(async () => {
    team = await teamCore();
    bea = await team.enrol('Bea', ['investigator', 'publisher'], { secondFactor: true });
    cai = await team.enrol('Cai', ['investigator']);
    // The enrolment spent the current TOTP step.
    team.clock += 30_000;
  });

  afterEach(() => team.close());

  const events = (): EventRow[] => team.tables('events').events as EventRow[];
  const authTables = () => team.tables('investigators', 'credentials', 'recovery_codes', 'sessions', 'sign_in_failures', 'sign_in_locks', 'events');
  const signIn = (name: string, passphrase: string, secondFactor?: string, call: CallContext = browser) =>
    team.core.dispatch('auth.signIn', secondFactor === undefined ? { name, passphrase } : { name, passphrase, secondFactor }, call);

  test('the right passphrase gives a session; authenticate names the person with their current roles; whoami shows the session', async () => {
    const result = await ok(signIn('cai', cai.passphrase, undefined, from('2a02:1388::7', 'cli')));
    assert.match(result.token, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(result.roles, ['investigator']);
    assert.deepEqual(
      { ...result.session, id: 0 },
      {
        id: 0,
        person: 'Cai',
        kind: 'bearer',
        client: 'cli',
        address: '2a02:1388::7',
        createdAt: new Date(team.clock).toISOString(),
        lastSeenAt: new Date(team.clock).toISOString(),
        idleExpiresAt: new Date(team.clock + 120 * MINUTE).toISOString(),
        expiresAt: new Date(team.clock + 24 * HOUR).toISOString(),
        isCurrent: true,
      },
    );
    const { sessions } = team.tables('sessions');
    assert.ok(!JSON.stringify(sessions).includes(result.token), 'only the token hash is stored');
    const authenticated = team.core.authenticate(result.token);
    assert.ok(authenticated.ok);
    assert.deepEqual(authenticated.value.person.name, 'Cai');
    assert.deepEqual(authenticated.value.person.roles, ['investigator']);
    const call = { actor: authenticated.value.person.name, client: 'cli' as const, address: '2a02:1388::7', sessionId: authenticated.value.session.id };
    const whoami = await ok(team.core.dispatch('session.whoami', {}, call));
    assert.deepEqual([whoami.actor, whoami.session?.id, whoami.session?.isCurrent], ['Cai', result.session.id, true]);
    // A browser's session is a cookie session.
    const inBrowser = await ok(signIn('Cai', cai.passphrase));
    assert.equal(inBrowser.session.kind, 'cookie');
    const signedIn = events().filter((event) => event.action === 'auth.signed-in');
    assert.deepEqual(
      signedIn.map((event) => [event.actor, event.client, event.address, JSON.parse(event.details).kind]),
      [
        ['Cai', 'cli', '2a02:1388::7', 'bearer'],
        ['Cai', 'browser', '81.2.69.160', 'cookie'],
      ],
    );
  });

  test('a person with a second factor: asked for it, a wrong code refused and counted, the right one accepted once, recovery codes once each', async () => {
    const asked = await refused(signIn('Bea', bea.passphrase), 'unauthenticated', /second factor is needed/);
    assert.deepEqual(asked.details, [SECOND_FACTOR_NEEDED]);
    const secret = bea.secret as Buffer;
    const before = team.tables('sessions', 'credentials');
    const wrong = String((Number(team.code(secret)) + 7) % 1_000_000).padStart(6, '0');
    await refused(signIn('Bea', bea.passphrase, wrong), 'unauthenticated', /wrong second factor/);
    await refused(signIn('Bea', bea.passphrase, team.code(secret, -2)), 'unauthenticated', /wrong second factor/);
    assert.deepEqual(team.tables('sessions', 'credentials'), before, 'no session, nothing spent');
    const failed = events().filter((event) => event.action === 'auth.sign-in-failed');
    assert.deepEqual(failed.map((event) => [event.actor, JSON.parse(event.details).reason]), [
      ['(not signed in)', 'wrong-second-factor'],
      ['(not signed in)', 'wrong-second-factor'],
    ]);
    const code = team.code(secret);
    await ok(signIn('Bea', bea.passphrase, code));
    // The same code again (an eavesdropper replaying it) is refused.
    await refused(signIn('Bea', bea.passphrase, code), 'unauthenticated', /wrong second factor/);
    // A recovery code signs in once.
    const recovery = (bea.recoveryCodes ?? [])[3];
    const byRecovery = await ok(signIn('Bea', bea.passphrase, recovery.toUpperCase()));
    assert.ok(byRecovery.token);
    const last = events().at(-1) as EventRow;
    assert.deepEqual(JSON.parse(last.details).secondFactor, 'recovery-code');
    assert.equal(JSON.parse(last.details).recoveryCodesLeft, 9);
    await refused(signIn('Bea', bea.passphrase, recovery), 'unauthenticated', /wrong second factor/);
    const people = await ok(team.core.dispatch('team.people', {}, team.admin));
    assert.equal(people.find((person) => person.name === 'Bea')?.recoveryCodesLeft, 9);
  });

  test('brute force: five wrong passphrases lock the name (logged), even the right one is then refused, across a restart, until the lock ends', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await refused(signIn('Cai', `guess number ${attempt}`), 'unauthenticated', /^wrong name or passphrase$/);
      team.clock += 1000;
    }
    const lock = events().filter((event) => event.action === 'auth.locked');
    assert.equal(lock.length, 1);
    assert.deepEqual(JSON.parse(lock[0].details), { name: 'Cai', failures: 5, lockedUntil: new Date(team.clock - 1000 + 15 * MINUTE).toISOString(), client: 'browser', address: '81.2.69.160' });
    assert.equal(events().filter((event) => event.action === 'auth.sign-in-failed').length, 5);
    const before = team.tables('sessions', 'credentials');
    await refused(signIn('Cai', cai.passphrase), 'rate-limited', /locked after repeated failures, until/);
    // From another address too: the lock is the name's.
    await refused(signIn('Cai', cai.passphrase, undefined, from('45.33.32.156')), 'rate-limited', /locked/);
    assert.equal(events().filter((event) => event.action === 'auth.sign-in-refused').length, 2);
    team.restart();
    await refused(signIn('Cai', cai.passphrase), 'rate-limited', /locked/);
    assert.deepEqual(team.tables('sessions', 'credentials'), before, 'no session was opened');
    const people = await ok(team.core.dispatch('team.people', {}, team.admin));
    assert.ok(people.find((person) => person.name === 'Cai')?.lockedUntil);
    team.clock += 15 * MINUTE;
    await ok(signIn('Cai', cai.passphrase, undefined, from('45.33.32.156')));
    // A success clears the count: one more wrong guess does not lock again.
    await refused(signIn('Cai', 'wrong again'), 'unauthenticated', /wrong name or passphrase/);
    await ok(signIn('Cai', cai.passphrase));
  });

  test('a name nobody has is answered and locked exactly like a real one (the answers do not tell which names exist)', async () => {
    const messages: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt += 1) messages.push((await refused(signIn('Zed', 'some guess or other'), 'unauthenticated', /./)).message);
    messages.push((await refused(signIn('Cai', 'some guess or other'), 'unauthenticated', /./)).message);
    assert.deepEqual(new Set(messages), new Set(['wrong name or passphrase']));
    await refused(signIn('Zed', 'any'), 'rate-limited', /sign-in for Zed is locked/);
    const failed = events().filter((event) => event.action === 'auth.sign-in-failed');
    assert.deepEqual(failed.map((event) => [event.subject_type, JSON.parse(event.details).reason]).slice(0, 2), [
      ['sign-in', 'unknown-name'],
      ['sign-in', 'unknown-name'],
    ]);
  });

  test('an address trying many names is refused once it reaches the limit (one event then, none after), other addresses are not', async () => {
    const attacker = from('23.94.12.7');
    for (let attempt = 0; attempt < 20; attempt += 1) await refused(signIn(`user${attempt % 7}`, 'Winter2026!', undefined, attacker), 'unauthenticated', /wrong name or passphrase/);
    assert.equal(events().filter((event) => event.action === 'auth.address-limited').length, 1);
    const before = authTables();
    for (let attempt = 0; attempt < 5; attempt += 1) await refused(signIn('Cai', cai.passphrase, undefined, attacker), 'rate-limited', /too many failed sign-ins from 23\.94\.12\.7/);
    assert.deepEqual(authTables(), before, 'refused at the door: nothing written, not even an event');
    await ok(signIn('Cai', cai.passphrase, undefined, from('45.33.32.156')));
    team.clock += 16 * MINUTE;
    await ok(signIn('Cai', cai.passphrase, undefined, attacker));
  });

  test('a person who never enrolled, or is inactive, cannot sign in', async () => {
    await ok(team.core.dispatch('investigators.add', { name: 'Dan', roles: ['liaison'] }, team.admin));
    await refused(signIn('Dan', 'anything at all here'), 'unauthenticated', /wrong name or passphrase/);
    await ok(team.core.dispatch('investigators.update', { name: 'Cai', active: false }, team.admin));
    const before = team.tables('sessions');
    await refused(signIn('Cai', cai.passphrase), 'forbidden', /Cai is no longer active/);
    assert.deepEqual(team.tables('sessions'), before);
    assert.equal(JSON.parse((events().at(-1) as EventRow).details).reason, 'inactive');
  });

  test('a role that needs a second factor: a person without one is refused until they enrol again with one', async () => {
    await ok(team.core.dispatch('settings.update', { auth: { secondFactorRoles: ['investigator'] } }, team.admin));
    await refused(signIn('Cai', cai.passphrase), 'forbidden', /investigator role needs a second factor/);
    const people = await ok(team.core.dispatch('team.people', {}, team.admin));
    // Ada (investigator and admin, not enrolled yet) will have to add one when she enrols too.
    assert.deepEqual(people.filter((person) => person.needsSecondFactor).map((person) => person.name), ['Ada', 'Cai']);
    await ok(signIn('Bea', bea.passphrase, team.code(bea.secret as Buffer)));
    const again = await team.enrol('Cai', ['investigator'], { secondFactor: true, passphrase: 'cai has a new passphrase now' });
    team.clock += 30_000;
    await ok(signIn('Cai', again.passphrase, team.code(again.secret as Buffer)));
  });

  test('sessions end: absolute lifetime, idle lifetime, sign-out, an admin ending one; each refused with its reason and nothing changed', async () => {
    const cli = from('45.33.32.156', 'cli');
    const first = await ok(signIn('Cai', cai.passphrase, undefined, cli));
    const check = (token: string) => team.core.authenticate(token);
    const refusedWith = (token: string, message: RegExp) => {
      const before = team.tables('sessions', 'events');
      const result = check(token);
      assert.ok(!result.ok, `expected a refusal matching ${message}`);
      assert.equal(result.error.code, 'unauthenticated');
      assert.match(result.error.message, message);
      assert.deepEqual(team.tables('sessions', 'events'), before, 'a refused token changes nothing');
    };
    // Used every hour, it lives 24 hours from sign-in, then ends.
    for (let hour = 1; hour < 24; hour += 1) {
      team.clock += HOUR;
      assert.ok(check(first.token).ok, `hour ${hour}`);
    }
    team.clock += HOUR;
    refusedWith(first.token, /expired \(a session lasts 24 hours\)/);
    // Unused for the idle lifetime, it ends.
    const second = await ok(signIn('Cai', cai.passphrase, undefined, cli));
    team.clock += 119 * MINUTE;
    assert.ok(check(second.token).ok);
    team.clock += 119 * MINUTE;
    assert.ok(check(second.token).ok, 'each use moves the idle end');
    team.clock += 120 * MINUTE;
    refusedWith(second.token, /expired after 120 minutes without use/);
    // Signed out.
    const third = await ok(signIn('Cai', cai.passphrase, undefined, cli));
    const who = check(third.token);
    assert.ok(who.ok);
    await ok(team.core.dispatch('auth.signOut', {}, { actor: 'Cai', client: 'cli', address: '45.33.32.156', sessionId: who.value.session.id }));
    refusedWith(third.token, /ended \(signed out\)/);
    assert.equal((events().at(-1) as EventRow).action, 'auth.signed-out');
    // Ended by an admin, from the list of sessions.
    const fourth = await ok(signIn('Cai', cai.passphrase, undefined, cli));
    const listed = await ok(team.core.dispatch('team.sessions', {}, team.admin));
    assert.deepEqual(listed.map((session) => [session.person, session.id]), [['Cai', fourth.session.id]]);
    await ok(team.core.dispatch('team.endSession', { id: fourth.session.id }, team.admin));
    refusedWith(fourth.token, /ended \(ended by an admin or by its owner\)/);
    assert.deepEqual(await ok(team.core.dispatch('team.sessions', {}, team.admin)), []);
    // Forged or malformed tokens.
    refusedWith('A'.repeat(43), /no such session/);
    refusedWith('not a token', /malformed/);
    refusedWith(`${fourth.token.slice(0, 42)}${fourth.token.at(-1) === 'A' ? 'B' : 'A'}`, /no such session/);
    // Signing out without a session (embedded mode) says why.
    await refused(team.core.dispatch('auth.signOut', {}, { actor: 'Cai' }), 'invalid-input', /no session/);
  });

  test("deactivating a person or changing their roles ends their sessions at once: the next call is refused", async () => {
    const one = await ok(signIn('Cai', cai.passphrase));
    const two = await ok(signIn('Cai', cai.passphrase, undefined, from('45.33.32.156', 'desktop')));
    const beas = await ok(signIn('Bea', bea.passphrase, team.code(bea.secret as Buffer)));
    await ok(team.core.dispatch('investigators.update', { name: 'Cai', roles: ['investigator', 'reviewer'] }, team.admin));
    for (const token of [one.token, two.token]) {
      const result = team.core.authenticate(token);
      assert.ok(!result.ok && /roles changed/.test(result.error.message), JSON.stringify(result));
    }
    assert.ok(team.core.authenticate(beas.token).ok, "someone else's session is untouched");
    const changed = events().at(-1) as EventRow;
    assert.equal(JSON.parse(changed.details).sessionsEnded, 2);
    // A fresh session carries the new roles.
    const three = await ok(signIn('Cai', cai.passphrase));
    const authenticated = team.core.authenticate(three.token);
    assert.ok(authenticated.ok);
    assert.deepEqual(authenticated.value.person.roles, ['investigator', 'reviewer']);
    await ok(team.core.dispatch('investigators.update', { name: 'Cai', active: false }, team.admin));
    const after = team.core.authenticate(three.token);
    assert.ok(!after.ok && /deactivated/.test(after.error.message), JSON.stringify(after));
    // Changing nothing but... nothing: an update that keeps the roles leaves sessions alone.
    const four = await ok(signIn('Bea', bea.passphrase, team.code(bea.secret as Buffer, 1)));
    await ok(team.core.dispatch('investigators.update', { name: 'Bea', roles: ['publisher', 'investigator'] }, team.admin));
    assert.ok(team.core.authenticate(four.token).ok);
  });

  test('sessions: people see and end their own; only an admin sees and ends anyone\'s; resetting a second factor ends them too', async () => {
    const cais = await ok(signIn('Cai', cai.passphrase));
    const beas = await ok(signIn('Bea', bea.passphrase, team.code(bea.secret as Buffer)));
    const asCai: CallContext = { actor: 'Cai', client: 'browser', address: '81.2.69.160', sessionId: cais.session.id };
    const own = await ok(team.core.dispatch('team.sessions', {}, asCai));
    assert.deepEqual(own.map((session) => [session.person, session.isCurrent]), [['Cai', true]]);
    await refused(team.core.dispatch('team.sessions', { name: 'Bea' }, asCai), 'forbidden', /only an admin/);
    const before = team.tables('sessions', 'events');
    await refused(team.core.dispatch('team.endSession', { id: beas.session.id }, asCai), 'forbidden', /only an admin ends other people's sessions/);
    await refused(team.core.dispatch('team.endSession', { id: 999 }, team.admin), 'not-found', /no open session #999/);
    await refused(team.core.dispatch('team.resetSecondFactor', { name: 'Bea' }, asCai), 'forbidden', /admin role/);
    await refused(team.core.dispatch('team.resetSecondFactor', { name: 'Cai' }, team.admin), 'conflict', /no second factor to reset/);
    await refused(team.core.dispatch('team.people', {}, asCai), 'forbidden', /admin role/);
    assert.deepEqual(team.tables('sessions', 'events'), before);
    assert.deepEqual((await ok(team.core.dispatch('team.sessions', { name: 'bea' }, team.admin))).map((session) => session.person), ['Bea']);
    const reset = await ok(team.core.dispatch('team.resetSecondFactor', { name: 'Bea' }, team.admin));
    assert.deepEqual([reset.hasSecondFactor, reset.recoveryCodesLeft, reset.activeSessions], [false, 0, 0]);
    const after = team.core.authenticate(beas.token);
    assert.ok(!after.ok && /second factor was reset/.test(after.error.message));
    // Without a second factor now, the passphrase alone signs in (the setting does not require one here).
    await ok(signIn('Bea', bea.passphrase));
    // Ending one's own session from the list signs out of it.
    await ok(team.core.dispatch('team.endSession', { id: cais.session.id }, asCai));
    assert.equal((events().at(-1) as EventRow).action, 'auth.signed-out');
  });

  test('the lifetimes are settings', async () => {
    await ok(team.core.dispatch('settings.update', { auth: { sessionIdleMinutes: 10, sessionAbsoluteHours: 1 } }, team.admin));
    const session = await ok(signIn('Cai', cai.passphrase));
    assert.equal(session.session.expiresAt, new Date(team.clock + HOUR).toISOString());
    team.clock += 11 * MINUTE;
    assert.ok(!team.core.authenticate(session.token).ok);
    await refused(team.core.dispatch('settings.update', { auth: { sessionIdleMinutes: 120, sessionAbsoluteHours: 1 } }, team.admin), 'invalid-input', /must not exceed/);
    assert.equal(START < team.clock, true);
  });
});
