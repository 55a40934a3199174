/**
 * `repdesk login` and `repdesk logout`. The table's entries are in `../login-commands.ts`.
 * Secrets are asked at the terminal without echo, or read from files named by flags; never taken
 * from the command line (where `ps` and the shell's history keep them) nor from a pipe.
 */
import { resolve } from 'node:path';
import type { ApiResult } from '../../../shared/result.js';
import { SECOND_FACTOR_NEEDED, type SessionView, type SignInResult } from '../../../shared/team.js';
import { CommandError, UsageError, passphraseFileLine, printJson, type CommandContext, type RemoteTarget } from '../command.js';
import { ServerClient } from '../remote/client.js';
import { normaliseServer, removeLogin, saveLogin } from '../remote/logins.js';

/** A secret from the file its flag names, else asked at the terminal; refused without one. */
async function secret(context: CommandContext, flag: string, question: string, isHidden: boolean): Promise<string> {
  const file = context.values[flag];
  if (typeof file === 'string') return passphraseFileLine(file);
  if (!context.isTerminal) throw new CommandError(`there is no terminal to ask for ${question.replace(/:\s*$/, '').toLowerCase()} (it is never read from a pipe or the command line): run it at a terminal, or give --${flag} FILE`);
  return context.prompt(question, { hidden: isHidden });
}

/** `repdesk login` */
export async function login(context: CommandContext): Promise<void> {
  const given = typeof context.values.server === 'string' ? context.values.server : process.env.REPDESK_SERVER;
  if (given === undefined || given === '') throw new UsageError('--server URL is required (or REPDESK_SERVER): the team server to sign in to');
  if (context.actor !== null) throw new UsageError('a team server knows you by your sign-in: unset --actor / REPDESK_ACTOR');
  const server = normaliseServer(given, typeof context.values.server === 'string' ? '--server' : 'REPDESK_SERVER');
  const caText = typeof context.values.ca === 'string' ? context.values.ca : process.env.REPDESK_CA || null;
  const target: RemoteTarget = { server, ca: caText === null ? null : resolve(caText), token: null, person: null, chosenBy: '--server' };
  const client = new ServerClient(target, context.status);

  let name = typeof context.values.name === 'string' ? context.values.name : null;
  if (name === null) {
    if (!context.isTerminal) throw new UsageError('--name NAME is required without a terminal to ask it at');
    name = (await context.prompt(`Name on ${server}: `)).trim();
  }
  const passphrase = await secret(context, 'passphrase-file', 'Passphrase: ', true);
  const signIn = (secondFactor?: string) => client.call('auth.signIn', { name, passphrase, ...(secondFactor ? { secondFactor } : {}) }) as Promise<ApiResult<SignInResult>>;
  let result = await signIn();
  if (!result.ok && result.error.details?.includes(SECOND_FACTOR_NEEDED)) {
    const code = (await secret(context, 'code-file', 'The 6-digit code of your authenticator app (or a recovery code): ', false)).trim();
    result = await signIn(code);
  }
  if (!result.ok) throw new CommandError(`${server} refused the sign-in: ${result.error.message}`, result.error.details?.filter((detail) => detail !== SECOND_FACTOR_NEEDED) ?? []);
  const { token, session, roles } = result.value;
  const file = saveLogin({ server, person: session.person, token, ca: target.ca, savedAt: new Date().toISOString() });
  if (context.values.json) printJson(context, { server, person: session.person, roles, session, tokenFile: file });
  else {
    context.out(`logged in to ${server} as ${session.person} (${roles.join(', ') || 'no roles'}); the session ends after ${session.idleExpiresAt} unless used, and by ${session.expiresAt}`);
    context.out(`its token is in ${file} (readable by you only); commands now run against ${server} (--db FILE for a database on this computer); repdesk logout ends it`);
  }
}

/** `repdesk logout` */
export async function logout(context: CommandContext): Promise<void> {
  const target = context.remote;
  if (target === null) throw new UsageError('no server is selected and nobody is logged in: nothing to log out of (give --server URL)');
  if (target.token === null) {
    throw new CommandError(`not logged in to ${target.server}: nothing to log out of`);
  }
  const result = (await new ServerClient(target, context.status).call('auth.signOut', {})) as ApiResult<SessionView>;
  // A session the server already ended (expired, ended by an admin) is as good as ended here.
  if (!result.ok && result.error.code !== 'unauthenticated') throw new CommandError(`${target.server} did not end the session: ${result.error.message}; its token file is kept (try again)`);
  removeLogin(target.server);
  if (context.values.json) printJson(context, { server: target.server, person: target.person, ended: true });
  else context.out(`logged out of ${target.server}${target.person ? ` (${target.person})` : ''}: the session is ended and its token file removed`);
}
