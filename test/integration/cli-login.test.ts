/**
 * `repdesk login` and `repdesk logout` over HTTP against the real team server (startTeamServer on
 * its threaded core, plain HTTP on loopback):
 * the passphrase and the authenticator's code are asked at the terminal (hidden) or read from
 * the files the flags name, never from a pipe; the token is kept in a 0600 file per server in the
 * user's config folder, and the commands that follow run as that person on that server (a saved
 * login is the default server, unless --db names a database); a file others may read is refused;
 * logout ends the session on the server (the old token is refused) and removes the file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../main/cli/main.js';
import { loginFile } from '../../main/cli/remote/logins.js';
import { totp } from '../../main/core/auth/totp.js';
import { describeRun, type Run } from './support/cli.js';
import { startTeamHarness, value, type PersonSession, type TeamServerHarness } from './support/team-server.js';

describe('repdesk login and logout', () => {
  const savedConfig = process.env.XDG_CONFIG_HOME;
  const savedServer = process.env.REPDESK_SERVER;
  let team: TeamServerHarness;
  /** The server's address as a person types it. */
  let url: string;
  let pia: PersonSession;
  let otto: PersonSession;

  /** Run repdesk in this process; `answers` for its questions (as typed at a terminal), or none: no terminal. */
  async function run(args: string[], answers?: string[]): Promise<Run & { questions: Array<{ question: string; hidden: boolean }> }> {
    const result = { out: [] as string[], error: [] as string[], questions: [] as Array<{ question: string; hidden: boolean }> };
    const code = await runCli(args, {
      out: (line) => result.out.push(...line.split('\n')),
      error: (line) => result.error.push(...line.split('\n')),
      ...(answers
        ? {
            prompt: async (question: string, options?: { hidden?: boolean }) => {
              result.questions.push({ question, hidden: options?.hidden === true });
              return answers.shift() ?? '';
            },
          }
        : {}),
    });
    return { ...result, code };
  }

  const file = (name: string, content: string) => {
    const path = join(team.folder, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    team = await startTeamHarness();
    url = team.origin;
    process.env.XDG_CONFIG_HOME = join(team.folder, 'config');
    delete process.env.REPDESK_SERVER;
    pia = await team.person('Pia', ['investigator']);
    otto = await team.person('Otto', ['investigator'], { secondFactor: true });
    value(await team.call('listings.add', { range: '45.30.0.0/24', list: 'RBL', reason: 'spam-source' }, { token: team.admin.token }));
  });

  after(async () => {
    await team?.stop();
    if (savedConfig === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfig;
    if (savedServer !== undefined) process.env.REPDESK_SERVER = savedServer;
  });

  test('asked at the terminal: the passphrase hidden; the token saved 0600; later commands run as that person', async () => {
    const login = await run(['login', '--server', url], ['Pia', pia.passphrase]);
    assert.equal(login.code, 0, describeRun(login));
    assert.deepEqual(login.questions, [
      { question: `Name on ${url}: `, hidden: false },
      { question: 'Passphrase: ', hidden: true },
    ]);
    assert.match(login.out[0], new RegExp(`^logged in to ${url} as Pia \\(investigator\\)`));
    const path = loginFile(url);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(process.env.XDG_CONFIG_HOME as string, 'repdesk', 'logins')).mode & 0o777, 0o700);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { token: string; person: string };
    assert.equal(saved.person, 'Pia');
    assert.ok(!login.out.join('\n').includes(saved.token), 'the token is not printed');
    const newest = team.rows<{ client: string }>("SELECT s.client FROM sessions s JOIN investigators i ON i.id = s.investigator_id WHERE i.name = 'Pia' AND s.ended_at IS NULL ORDER BY s.id DESC LIMIT 1");
    assert.deepEqual(newest, [{ client: 'cli' }]);
    // The saved login is the default server: a listing added now is Pia's, made through the server.
    const added = await run(['listing', 'add', '45.30.1.0/24', '--list', 'RBL', '--reason', 'spam-source', '--json']);
    assert.equal(added.code, 0, describeRun(added));
    assert.equal(JSON.parse(added.out.join('\n')).listing.investigator, 'Pia');
    // --db names a database on this computer: it wins over the saved login.
    const local = await run(['--db', team.databasePath, 'listing', 'show', '1', '--json']);
    assert.equal(local.code, 0, describeRun(local));
  });

  test('without a terminal only from files; a second factor from --code-file; a wrong passphrase refused', async () => {
    const piped = await run(['login', '--server', url, '--name', 'Otto']);
    assert.equal(piped.code, 1);
    assert.match(piped.error[0], /there is no terminal to ask for passphrase .* give --passphrase-file FILE/);
    const passphrase = file('otto.pass', `${otto.passphrase}\n`);
    const noCode = await run(['login', '--server', url, '--name', 'Otto', '--passphrase-file', passphrase]);
    assert.equal(noCode.code, 1);
    assert.match(noCode.error[0], /there is no terminal to ask for the 6-digit code .* give --code-file FILE/);
    // The code of the next step (the current one was used to enrol; each is accepted once).
    const code = file('otto.code', `${totp(otto.secret as Buffer, Date.now() + 30_000)}\n`);
    const signed = await run(['login', '--server', url, '--name', 'Otto', '--passphrase-file', passphrase, '--code-file', code, '--json']);
    assert.equal(signed.code, 0, describeRun(signed));
    assert.equal(JSON.parse(signed.out.join('\n')).person, 'Otto');
    const wrong = await run(['login', '--server', url, '--name', 'Otto', '--passphrase-file', file('wrong.pass', 'not the passphrase\n')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.error[0], new RegExp(`${url} refused the sign-in: `));
    // The one good login stays in place.
    assert.equal(JSON.parse(readFileSync(loginFile(url), 'utf8')).person, 'Otto');
  });

  test('a login file others may read is refused; logout ends the session on the server and removes the file', async () => {
    const path = loginFile(url);
    const { token } = JSON.parse(readFileSync(path, 'utf8')) as { token: string };
    chmodSync(path, 0o644);
    const exposed = await run(['lookup', '45.30.0.1']);
    assert.equal(exposed.code, 1);
    assert.match(exposed.error[0], /may be read by others \(mode 644\): it is not used; remove it and log in again/);
    chmodSync(path, 0o600);
    const loggedOut = await run(['logout']);
    assert.equal(loggedOut.code, 0, describeRun(loggedOut));
    assert.equal(loggedOut.out[0], `logged out of ${url} (Otto): the session is ended and its token file removed`);
    assert.equal(existsSync(path), false);
    assert.equal((await team.call('session.whoami', {}, { token })).status, 401, 'the server refuses the old token');
    assert.deepEqual(readdirSync(join(process.env.XDG_CONFIG_HOME as string, 'repdesk', 'logins')), []);
    const notLoggedIn = await run(['--server', url, 'lookup', '45.30.0.1']);
    assert.equal(notLoggedIn.code, 1);
    assert.match(notLoggedIn.error[0], new RegExp(`not logged in to ${url}: repdesk login --server ${url}`));
    const again = await run(['logout', '--server', url]);
    assert.equal(again.code, 1);
    assert.match(again.error[0], /not logged in to .*: nothing to log out of/);
  });
});
