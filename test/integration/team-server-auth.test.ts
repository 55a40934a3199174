/**
 * The team server's sign-in wiring against a real server on a real database, over real HTTP: a
 * desktop/CLI signs in for a bearer token, a browser for an HttpOnly SameSite=Strict cookie (no
 * token in the body); each call's person, client and address come from the session and the
 * socket, and the history records them. And the attacks, each refused with its status and nothing
 * changed: no session, a forged cookie, a bearer token used as a cookie (and the reverse), a
 * cross-site request, a request naming an actor, an expired session, an ended one, a deactivated
 * person's, one whose roles changed, a replayed enrolment code, a wrong TOTP code, brute force
 * (locked, logged), an oversized body.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { ADMIN, ADMIN_PASSPHRASE, setCookieOf, startTeamHarness, value, type TeamServerHarness } from './support/team-server.js';

let team: TeamServerHarness;

before(async () => {
  team = await startTeamHarness();
});

after(async () => {
  await team.stop();
});

const LISTING = { range: '45.10.0.0/24', list: 'RBL', reason: 'spam-source' };

function listingCount(): number {
  return team.rows<{ count: number }>('SELECT count(*) AS count FROM listings')[0].count;
}

function lastEvent(): { actor: string; action: string; client: string | null; address: string | null } {
  return team.rows<{ actor: string; action: string; client: string | null; address: string | null }>('SELECT actor, action, client, address FROM events ORDER BY id DESC LIMIT 1')[0];
}

test('a CLI signs in for a bearer token; its calls act as that person, and the history records the client and the address', async () => {
  const who = value(await team.call<{ actor: string; session: { kind: string; client: string } }>('session.whoami', {}, { token: team.admin.token }));
  assert.equal(who.actor, ADMIN);
  assert.equal(who.session.kind, 'bearer');
  assert.equal(who.session.client, 'cli');
  const created = value(await team.call<{ listing: { id: number } }>('listings.add', { ...LISTING, range: '45.11.0.0/24' }, { token: team.admin.token }));
  const event = team.rows<{ actor: string; client: string; address: string }>("SELECT actor, client, address FROM events WHERE subject_type = 'listing' AND subject_id = ?", created.listing.id)[0];
  assert.deepEqual(event, { actor: ADMIN, client: 'cli', address: '127.0.0.1' });
});

test('a browser signs in for an HttpOnly SameSite=Strict cookie and never sees the token; the cookie calls with its Origin; sign-out ends it and clears the cookie', async () => {
  const answer = await team.call<{ token?: string; session: { kind: string } }>('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'browser' }, { origin: true });
  const session = value(answer);
  assert.equal(session.token, undefined, 'the token is not in the body');
  assert.equal(session.session.kind, 'cookie');
  const cookie = setCookieOf(answer);
  assert.ok(cookie, 'a session cookie is set');
  assert.match(cookie.header, /; HttpOnly/);
  assert.match(cookie.header, /; SameSite=Strict/);
  assert.match(cookie.header, /; Path=\//);
  // Plain HTTP on loopback is the one place the cookie goes without Secure (the TLS test checks Secure).
  assert.doesNotMatch(cookie.header, /Secure/);
  assert.equal(value(await team.call<{ actor: string }>('session.whoami', {}, { cookie: cookie.value, origin: true })).actor, ADMIN);
  const added = value(await team.call<{ listing: { id: number } }>('listings.add', { ...LISTING, range: '45.12.0.0/24' }, { cookie: cookie.value, origin: true }));
  assert.deepEqual(team.rows("SELECT client, address FROM events WHERE subject_type = 'listing' AND subject_id = ?", added.listing.id)[0], { client: 'browser', address: '127.0.0.1' });

  // The cookie's token as a bearer token (taken out of the browser) is refused, and a bearer token as a cookie.
  const asBearer = await team.call('session.whoami', {}, { token: cookie.value });
  assert.equal(asBearer.status, 401);
  const asCookie = await team.call('session.whoami', {}, { cookie: team.admin.token, origin: true });
  assert.equal(asCookie.status, 401);

  const signedOut = await team.call('auth.signOut', {}, { cookie: cookie.value, origin: true });
  assert.equal(signedOut.status, 200);
  assert.match(setCookieOf(signedOut)?.header ?? '', /Max-Age=0/);
  const after = await team.call('session.whoami', {}, { cookie: cookie.value, origin: true });
  assert.equal(after.status, 401);
  assert.match(after.result.ok ? '' : after.result.error.message, /signed out/);
});

test('no session, a forged cookie, a malformed Authorization: 401 and nothing changed', async () => {
  const before = listingCount();
  for (const options of [{}, { cookie: 'A'.repeat(43), origin: true as const }, { cookie: 'forged', origin: true as const }, { headers: { Authorization: 'Basic QWRhOnB3' } }]) {
    const answer = await team.call('listings.add', LISTING, options);
    assert.equal(answer.status, 401, JSON.stringify(options));
    assert.ok(!answer.result.ok && answer.result.error.details?.includes('sign-in-needed'), 'marked as wanting a sign-in (the page shows its sign-in screen)');
  }
  assert.equal((await team.call('listings.query', {}, {})).status, 401, 'reads need a session too');
  assert.equal((await team.call('upload', undefined, { raw: 'x' })).status, 401, 'uploads too');
  assert.equal(listingCount(), before);
});

test('a cross-site request with the cookie is refused (another Origin, no Origin on a POST, Sec-Fetch-Site cross-site), nothing changed', async () => {
  const signIn = await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'browser' }, { origin: true });
  const cookie = setCookieOf(signIn)?.value as string;
  const before = listingCount();
  const attempts = [
    { cookie, origin: 'https://evil.example' },
    { cookie },
    { cookie, origin: true as const, headers: { 'Sec-Fetch-Site': 'cross-site' } },
  ];
  for (const options of attempts) {
    const answer = await team.call('listings.add', LISTING, options);
    assert.equal(answer.status, 403, JSON.stringify(options));
  }
  // Signing someone in from another site is refused as well (login CSRF).
  assert.equal((await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'browser' }, { origin: 'https://evil.example' })).status, 403);
  assert.equal(listingCount(), before);
});

test('a request naming an actor is refused (in the body, in a job input, in a header), nothing changed', async () => {
  const eve = await team.person('Eve', ['investigator']);
  const before = listingCount();
  const inBody = await team.call('listings.add', { ...LISTING, actor: ADMIN }, { token: eve.token });
  assert.equal(inBody.status, 403);
  assert.match(inBody.result.ok ? '' : inBody.result.error.message, /may not name an actor/);
  assert.equal((await team.call('jobs.start', { operation: 'listings.bulk', input: { actor: ADMIN } }, { token: eve.token })).status, 403);
  assert.equal((await team.call('listings.add', LISTING, { token: eve.token, headers: { 'X-RepDesk-Actor': ADMIN } })).status, 403);
  assert.equal(listingCount(), before);
});

test('an expired session, an ended one, a deactivated person and changed roles: the next call is refused at once', async () => {
  const before = listingCount();
  const bo = await team.person('Bo', ['investigator']);
  const cy = await team.person('Cy', ['investigator']);
  const di = await team.person('Di', ['investigator']);
  const ed = await team.person('Ed', ['investigator']);
  for (const person of [bo, cy, di, ed]) assert.equal((await team.call('session.whoami', {}, { token: person.token })).status, 200);

  // Expired: past its absolute lifetime (moved there in the file, as time would).
  const database = new Database(team.databasePath);
  database.prepare("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Bo')").run();
  database.close();
  const expired = await team.call('listings.add', LISTING, { token: bo.token });
  assert.equal(expired.status, 401);
  assert.match(expired.result.ok ? '' : expired.result.error.message, /expired/);

  const sessions = value(await team.call<{ id: number; person: string }[]>('team.sessions', { name: 'Cy' }, { token: team.admin.token }));
  value(await team.call('team.endSession', { id: sessions[0].id }, { token: team.admin.token }));
  const ended = await team.call('listings.add', LISTING, { token: cy.token });
  assert.equal(ended.status, 401);
  assert.match(ended.result.ok ? '' : ended.result.error.message, /ended/);

  value(await team.call('investigators.update', { name: 'Di', active: false }, { token: team.admin.token }));
  const deactivated = await team.call('listings.add', LISTING, { token: di.token });
  assert.equal(deactivated.status, 401);
  assert.match(deactivated.result.ok ? '' : deactivated.result.error.message, /deactivated/);

  value(await team.call('investigators.update', { name: 'Ed', roles: ['reviewer'] }, { token: team.admin.token }));
  const rolesChanged = await team.call('session.whoami', {}, { token: ed.token });
  assert.equal(rolesChanged.status, 401);
  assert.match(rolesChanged.result.ok ? '' : rolesChanged.result.error.message, /roles changed/);
  assert.equal(listingCount(), before);
});

test('a replayed enrolment code is refused and changes nothing', async () => {
  const invitation = value(await team.call<{ code: string }>('team.invite', { name: 'Flo', roles: ['investigator'] }, { token: team.admin.token }));
  value(await team.call('auth.enrol', { code: invitation.code, passphrase: 'flo paints the lighthouse every spring', client: 'browser' }, { origin: true }));
  const credentials = team.rows("SELECT * FROM credentials WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Flo')");
  const replay = await team.call('auth.enrol', { code: invitation.code, passphrase: 'an attacker sets another passphrase now', client: 'browser' }, { origin: true });
  assert.equal(replay.result.ok, false);
  assert.ok(replay.status >= 400 && replay.status < 500, String(replay.status));
  assert.deepEqual(team.rows("SELECT * FROM credentials WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Flo')"), credentials);
  // The first passphrase still signs in; the attacker's does not.
  assert.equal((await team.call('auth.signIn', { name: 'Flo', passphrase: 'an attacker sets another passphrase now', client: 'cli' })).status, 401);
  assert.equal((await team.call('auth.signIn', { name: 'Flo', passphrase: 'flo paints the lighthouse every spring', client: 'cli' })).status, 200);
});

test('a wrong TOTP code is refused and logged; brute force locks the name (429), recorded with the address, and the right passphrase is refused while locked', async () => {
  const gus = await team.person('Gus', ['investigator'], { secondFactor: true });
  const wrongCode = await team.call('auth.signIn', { name: 'Gus', passphrase: gus.passphrase, secondFactor: '000000', client: 'cli' });
  assert.equal(wrongCode.status, 401);
  assert.match(wrongCode.result.ok ? '' : wrongCode.result.error.message, /wrong second factor/);
  assert.equal(lastEvent().action, 'auth.sign-in-failed');

  let status = 0;
  for (let attempt = 0; attempt < 6 && status !== 429; attempt += 1) {
    status = (await team.call('auth.signIn', { name: 'Gus', passphrase: `guess number ${attempt} of many`, client: 'cli' })).status;
  }
  assert.equal(status, 429);
  const locked = team.rows<{ action: string; client: string; address: string }>("SELECT action, client, address FROM events WHERE action = 'auth.locked' ORDER BY id DESC LIMIT 1")[0];
  assert.deepEqual(locked, { action: 'auth.locked', client: 'cli', address: '127.0.0.1' });
  const whileLocked = await team.call('auth.signIn', { name: 'Gus', passphrase: gus.passphrase, secondFactor: (gus.recoveryCodes ?? [])[0], client: 'cli' });
  assert.equal(whileLocked.status, 429);
  assert.equal(team.rows("SELECT * FROM sessions WHERE investigator_id = (SELECT id FROM investigators WHERE name = 'Gus') AND ended_at IS NULL").length, 1, 'only the session from before');
});

test('an oversized body is refused with 413 before it is read, and a signed-in one too; nothing changed', async () => {
  const before = listingCount();
  const big = Buffer.alloc(2 << 20, 0x20);
  const anonymous = await team.call('auth.signIn', undefined, { raw: big });
  assert.equal(anonymous.status, 413);
  const signedIn = await team.call('listings.add', undefined, { raw: big, token: team.admin.token });
  assert.equal(signedIn.status, 413);
  assert.equal(listingCount(), before);
});

test('sign-in must say its client; an unknown operation is 404; GET on the API is refused', async () => {
  assert.equal((await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE })).status, 400);
  assert.equal((await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'server' })).status, 400);
  assert.equal((await team.call('no.such', {}, { token: team.admin.token })).status, 404);
  assert.equal((await team.call('listings.query', undefined, { token: team.admin.token, method: 'GET' })).status, 400);
});

test('sign-ins (a passphrase hash each) do not hold up other writes: an edit sent after ten sign-ins is answered before the last of them', async () => {
  const signIns = Array.from({ length: 10 }, async () => {
    const answer = await team.call('auth.signIn', { name: ADMIN, passphrase: ADMIN_PASSPHRASE, client: 'cli' });
    assert.equal(answer.status, 200);
    return performance.now();
  });
  const edit = (async () => {
    value(await team.call('listings.add', { range: '45.13.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));
    return performance.now();
  })();
  const [editAnswered, ...signedIn] = await Promise.all([edit, ...signIns]);
  assert.ok(editAnswered < Math.max(...signedIn), `the edit waited for every sign-in (answered ${(editAnswered - Math.max(...signedIn)).toFixed(0)} ms after the last)`);
});
