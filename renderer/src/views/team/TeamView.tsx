/**
 * Team (admins): the people with their roles and sign-in state, inviting someone (the enrolment
 * code is shown once, here), new codes, roles, deactivation, resetting a lost second factor; the
 * open sessions, which an admin can end; the publishers' registered signing keys; and, in a
 * browser on a team server, a backup of the database to download.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError, ApiResult } from '../../../../shared/result.js';
import { ROLES, type Role } from '../../../../shared/domain.js';
import type { Invitation, PersonView } from '../../../../shared/team.js';
import { useApi } from '../../api.js';
import { formatTime } from '../../format.js';
import { useOperation } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { BackupPanel } from './BackupPanel.js';
import { ConfirmButton } from './Confirm.js';
import { PublisherKeys } from './PublisherKeys.js';
import { SessionsPanel } from './SessionsPanel.js';
import './team.css';

/** The code of an invitation, shown this once. */
function InvitationCode({ invitation, onDone }: { invitation: Invitation; onDone: () => void }) {
  return (
    <div className="team-code" role="status" aria-label={`Enrolment code for ${invitation.name}`}>
      <p>
        Enrolment code for <strong>{invitation.name}</strong> ({invitation.roles.join(', ')}), valid until {formatTime(invitation.expiresAt)}:
      </p>
      <p>
        <code className="team-code-value">{invitation.code}</code>
      </p>
      <p className="muted">
        It is shown only now and kept only as a hash: hand it to {invitation.name} in person or over a channel you trust. With it they set a passphrase
        and add their authenticator app (<code>repdesk enrol CODE</code>).
      </p>
      <button type="button" onClick={onDone}>
        Done, I have passed it on
      </button>
    </div>
  );
}

function RoleBoxes({ roles, onChange, idPrefix }: { roles: readonly Role[]; onChange: (roles: Role[]) => void; idPrefix: string }) {
  return (
    <span className="team-roles">
      {ROLES.map((role) => (
        <label key={role} htmlFor={`${idPrefix}-${role}`}>
          <input
            id={`${idPrefix}-${role}`}
            type="checkbox"
            checked={roles.includes(role)}
            onChange={(event) => onChange(event.target.checked ? ROLES.filter((known) => known === role || roles.includes(known)) : roles.filter((kept) => kept !== role))}
          />{' '}
          {role}
        </label>
      ))}
    </span>
  );
}

function InviteForm({ onInvited }: { onInvited: (invitation: Invitation) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['investigator']);
  const [error, setError] = useState<ApiError | null>(null);
  const invite = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api['team.invite']({ name, roles }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setName('');
        setRoles(['investigator']);
        onInvited(result.value);
      }
    });
  };
  return (
    <form onSubmit={invite} aria-label="Invite a person" className="team-invite">
      <h2>Invite a person</h2>
      <label>
        Name <input type="text" value={name} onChange={(event) => setName(event.target.value)} required />
      </label>
      <fieldset>
        <legend>Roles</legend>
        <RoleBoxes roles={roles} onChange={setRoles} idPrefix="invite-role" />
      </fieldset>
      <button type="submit" disabled={name.trim() === '' || roles.length === 0}>
        Invite
      </button>
      {error && <ErrorLine error={error} />}
    </form>
  );
}

function signInState(person: PersonView): string {
  if (person.isEnrolled) return person.lastSignInAt ? `enrolled; last sign-in ${formatTime(person.lastSignInAt)}` : 'enrolled; never signed in';
  return person.invitationExpiresAt ? `invited, code valid until ${formatTime(person.invitationExpiresAt)}` : 'not enrolled';
}

function secondFactorState(person: PersonView): string {
  if (person.hasSecondFactor) return `yes, ${person.recoveryCodesLeft} recovery code${person.recoveryCodesLeft === 1 ? '' : 's'} left`;
  return person.needsSecondFactor ? 'needed (their roles require one)' : 'no';
}

function PersonRow({ person, onChanged, onInvited }: { person: PersonView; onChanged: () => void; onInvited: (invitation: Invitation) => void }) {
  const api = useApi();
  const [isEditingRoles, setIsEditingRoles] = useState(false);
  const [roles, setRoles] = useState<Role[]>([...person.roles]);
  const [error, setError] = useState<ApiError | null>(null);
  const run = <T,>(call: Promise<ApiResult<T>>, then?: (value: T) => void) => {
    setError(null);
    call.then((result) => {
      if (!result.ok) setError(result.error);
      else {
        then?.(result.value);
        onChanged();
      }
    });
  };
  return (
    <tr className={person.active ? undefined : 'team-inactive'}>
      <th scope="row">{person.name}</th>
      <td>
        {isEditingRoles ? (
          <form
            aria-label={`Roles of ${person.name}`}
            onSubmit={(event) => {
              event.preventDefault();
              run(api['investigators.update']({ name: person.name, roles }), () => setIsEditingRoles(false));
            }}
          >
            <RoleBoxes roles={roles} onChange={setRoles} idPrefix={`roles-${person.name}`} />
            <button type="submit" disabled={roles.length === 0}>
              Save roles
            </button>{' '}
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setIsEditingRoles(false);
                setRoles([...person.roles]);
              }}
            >
              Cancel
            </button>
            <p className="muted">Changing roles ends {person.name}'s sessions at once.</p>
          </form>
        ) : (
          person.roles.join(', ')
        )}
      </td>
      <td>{person.active ? signInState(person) : 'inactive'}</td>
      <td>{secondFactorState(person)}</td>
      <td>{person.lockedUntil ? `locked until ${formatTime(person.lockedUntil)}` : ''}</td>
      <td>{person.activeSessions}</td>
      <td>
        <div className="team-actions">
          {person.active && !isEditingRoles && (
            <button type="button" className="secondary" onClick={() => setIsEditingRoles(true)}>
              Roles…
            </button>
          )}
          {person.active && (
            <button type="button" className="secondary" onClick={() => run(api['team.invite']({ name: person.name }), onInvited)}>
              {person.isEnrolled || person.invitationExpiresAt ? 'New enrolment code' : 'Enrolment code'}
            </button>
          )}
          {person.hasSecondFactor && (
            <ConfirmButton
              label="Reset second factor"
              question={`Remove ${person.name}'s second factor and end their sessions?`}
              confirmLabel="Reset it"
              onConfirm={() => run(api['team.resetSecondFactor']({ name: person.name }))}
            />
          )}
          {person.active ? (
            <ConfirmButton
              label="Deactivate"
              question={`Deactivate ${person.name}? Their sessions end at once.`}
              confirmLabel="Deactivate"
              onConfirm={() => run(api['investigators.update']({ name: person.name, active: false }))}
            />
          ) : (
            <button type="button" className="secondary" onClick={() => run(api['investigators.update']({ name: person.name, active: true }))}>
              Reactivate
            </button>
          )}
        </div>
        {error && <ErrorLine error={error} />}
      </td>
    </tr>
  );
}

function People({ onInvited, revision, onChanged }: { onInvited: (invitation: Invitation) => void; revision: number; onChanged: () => void }) {
  const api = useApi();
  const people = useOperation(() => api['team.people']({}), `people:${revision}`);
  if (people.state === 'loading') return <p aria-live="polite">Loading the team…</p>;
  if (people.state === 'failed') return <ErrorLine error={people.error} />;
  return (
    <div className="table-scroll">
      <table className="team-people">
        <caption>People and their sign-in</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">Sign-in</th>
            <th scope="col">Second factor</th>
            <th scope="col">Lock</th>
            <th scope="col">Sessions</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {people.value.map((person) => (
            <PersonRow key={`${person.name}:${person.roles.join(',')}`} person={person} onChanged={onChanged} onInvited={onInvited} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TeamView() {
  const api = useApi();
  const whoami = useOperation(() => api['session.whoami']({}), 'whoami');
  const [revision, setRevision] = useState(0);
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const changed = () => setRevision((count) => count + 1);
  const invited = (made: Invitation) => {
    setInvitation(made);
    changed();
  };
  const isAdmin = whoami.state === 'done' && whoami.value.roles.includes('admin');
  return (
    <section aria-labelledby="view-title" className="team">
      <h1 id="view-title">Team</h1>
      {whoami.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {whoami.state === 'failed' && <ErrorLine error={whoami.error} />}
      {whoami.state === 'done' && !isAdmin && (
        <>
          <p>Managing the team (people, roles, invitations, sessions, publisher keys) needs the admin role.</p>
          <SessionsPanel revision={revision} onChanged={changed} title="Your open sessions" />
        </>
      )}
      {isAdmin && (
        <>
          {invitation && <InvitationCode invitation={invitation} onDone={() => setInvitation(null)} />}
          <People onInvited={invited} revision={revision} onChanged={changed} />
          <InviteForm onInvited={invited} />
          <SessionsPanel revision={revision} onChanged={changed} title="Open sessions" />
          <PublisherKeys revision={revision} onChanged={changed} />
          <BackupPanel />
        </>
      )}
    </section>
  );
}
