/**
 * The contract's operations about people and sign-in, as one piece of the core's handler map.
 * Signing in and enrolling need no session (the contract marks them); everything else runs as
 * the call's actor. Where a call came from (client, address) is the transport's word, never the
 * client's.
 */
import type { HandlerMap } from '../call-context.js';
import type { ReadDb, WriteDb } from '../db/connection.js';
import { readSettings } from '../settings/settings.js';
import { findActor } from '../investigators/investigators.js';
import { invalidInput } from '../errors.js';
import { completeEnrolment, invitePerson, startEnrolment } from './enrolment.js';
import { listPeople, resetSecondFactor } from './people.js';
import { describeSession, endSession, listSessions } from './sessions.js';
import { signIn } from './sign-in.js';
import { listPublisherKeys, registerPublisherKey, revokePublisherKey } from './publisher-keys.js';

export type AuthOperation =
  | 'session.whoami'
  | 'auth.signIn'
  | 'auth.signOut'
  | 'auth.enrolStart'
  | 'auth.enrol'
  | 'team.invite'
  | 'team.people'
  | 'team.sessions'
  | 'team.endSession'
  | 'team.resetSecondFactor'
  | 'keys.register'
  | 'keys.list'
  | 'keys.revoke';

export function authHandlers(db: { readonly read: ReadDb; readonly write: WriteDb }, now: () => Date): Pick<HandlerMap, AuthOperation> {
  const { read, write } = db;
  const settings = () => readSettings(read);
  return {
    'session.whoami': (_input, call) => {
      const actor = findActor(read, call.actor);
      return { actor: actor?.name ?? call.actor, roles: actor?.roles ?? [], session: describeSession(read, call.sessionId, settings(), now()) };
    },
    'auth.signIn': (input, call) => signIn(write, input, { client: call.client ?? null, address: call.address ?? null }, settings(), now),
    'auth.signOut': (_input, call) => {
      if (call.sessionId === undefined) throw invalidInput('there is no session to sign out of (this RepDesk runs for one person, as --actor / REPDESK_ACTOR)');
      return endSession(write, call.actor, call.sessionId, call.sessionId, settings(), now());
    },
    'auth.enrolStart': (input) => startEnrolment(write, input.code, settings(), now()),
    'auth.enrol': (input) => completeEnrolment(write, input, settings(), now),
    'team.invite': (input, call) => invitePerson(write, call.actor, input, settings(), now()),
    'team.people': (_input, call) => listPeople(read, call.actor, settings(), now()),
    'team.sessions': (input, call) => listSessions(read, call.actor, input.name, call.sessionId, settings(), now()),
    'team.endSession': (input, call) => endSession(write, call.actor, input.id, call.sessionId, settings(), now()),
    'team.resetSecondFactor': (input, call) => resetSecondFactor(write, call.actor, input.name, settings(), now()),
    'keys.register': (input, call) => registerPublisherKey(write, call.actor, input, now()),
    'keys.list': () => listPublisherKeys(read),
    'keys.revoke': (input, call) => revokePublisherKey(write, call.actor, input.keyId, now()),
  };
}
