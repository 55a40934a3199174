/**
 * The team server's sign-in screen, shown instead of the app while nobody is signed in, in a
 * browser and in the desktop app alike (which adds its server part: `SignInServer`): a name,
 * a passphrase and, when the person has one, the authenticator's code or a recovery code. Or
 * enrolling with the code an admin gave: open it, set a passphrase (twice), optionally (or, when
 * the person's roles require it, necessarily) add an authenticator app, and see the recovery
 * codes once. Then sign in.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import { SECOND_FACTOR_NEEDED, type EnrolmentResult, type EnrolmentStart } from '../../../../shared/team.js';
import { useApi } from '../../api.js';
import { FormErrorRow } from '../ErrorLine.js';
import '../forms.css';
import './sign-in.css';

/** A form's buttons: the submit (its label while busy), another way out beside it, then the error when there is one. */
function FormEnd({ isBusy, label, busyLabel, other, error }: { isBusy: boolean; label: string; busyLabel: string; other: { label: string; onClick: () => void }; error: ApiError | null }) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" disabled={isBusy}>
          {isBusy ? busyLabel : label}
        </button>
        <button type="button" className="secondary" onClick={other.onClick}>
          {other.label}
        </button>
      </div>
      <FormErrorRow error={error} />
    </>
  );
}

function SignInForm({ initialName, onSignedIn, onEnrol }: { initialName: string; onSignedIn: () => void; onEnrol: () => void }) {
  const api = useApi();
  const [name, setName] = useState(initialName);
  const [passphrase, setPassphrase] = useState('');
  const [secondFactor, setSecondFactor] = useState('');
  const [asksSecondFactor, setAsksSecondFactor] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setIsBusy(true);
    const result = await api['auth.signIn']({ name, passphrase, ...(asksSecondFactor && secondFactor.trim() !== '' ? { secondFactor } : {}) });
    setIsBusy(false);
    if (result.ok) {
      onSignedIn();
      return;
    }
    if (result.error.details?.includes(SECOND_FACTOR_NEEDED)) {
      // Not a failure: the passphrase was right and the second factor is asked for now.
      setAsksSecondFactor(true);
      setError(null);
      return;
    }
    setError(result.error);
    setSecondFactor('');
  };

  return (
    <form onSubmit={submit} aria-label="Sign in" className="form-grid">
      <label htmlFor="sign-in-name">Name</label>
      <div className="form-field">
        <input id="sign-in-name" type="text" autoComplete="username" value={name} onChange={(event) => setName(event.target.value)} required autoFocus={initialName === ''} />
      </div>
      <label htmlFor="sign-in-passphrase">Passphrase</label>
      <div className="form-field">
        <input id="sign-in-passphrase" type="password" autoComplete="current-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} required autoFocus={initialName !== ''} />
      </div>
      {asksSecondFactor && (
        <>
          <label htmlFor="sign-in-second-factor">Authenticator code</label>
          <div className="form-field">
            <input
              id="sign-in-second-factor"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={secondFactor}
              onChange={(event) => setSecondFactor(event.target.value)}
              required
              autoFocus
            />
            <p className="form-hint">The 6-digit code your authenticator app shows now, or one of your recovery codes.</p>
          </div>
        </>
      )}
      <FormEnd isBusy={isBusy} label="Sign in" busyLabel="Signing in…" other={{ label: 'Enrol with a code', onClick: onEnrol }} error={error} />
    </form>
  );
}

function RecoveryCodes({ result, onDone }: { result: EnrolmentResult; onDone: () => void }) {
  return (
    <section aria-label="Enrolled" className="sign-in-done">
      <p role="status">
        <strong>{result.name}</strong>, you are enrolled{result.secondFactor ? ' with your authenticator app' : ''}.
      </p>
      {result.recoveryCodes && (
        <>
          <p>
            Your recovery codes, each usable once in place of an authenticator code. They are shown only now: keep them somewhere safe, away from this computer.
          </p>
          <ul className="sign-in-recovery-codes" aria-label="Recovery codes">
            {result.recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" onClick={onDone}>
        {result.recoveryCodes ? 'I have kept them: sign in' : 'Sign in'}
      </button>
    </section>
  );
}

function EnrolForm({ onEnrolled, onCancel }: { onEnrolled: (name: string) => void; onCancel: () => void }) {
  const api = useApi();
  const [code, setCode] = useState('');
  const [start, setStart] = useState<EnrolmentStart | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [repeated, setRepeated] = useState('');
  const [wantsSecondFactor, setWantsSecondFactor] = useState(false);
  const [totpCode, setTotpCode] = useState('');
  const [result, setResult] = useState<EnrolmentResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  if (result) return <RecoveryCodes result={result} onDone={() => onEnrolled(result.name)} />;

  const open = async (event: FormEvent) => {
    event.preventDefault();
    setIsBusy(true);
    const opened = await api['auth.enrolStart']({ code });
    setIsBusy(false);
    if (!opened.ok) return setError(opened.error);
    setError(null);
    setStart(opened.value);
    setWantsSecondFactor(opened.value.secondFactorRequired);
  };

  const enrol = async (event: FormEvent) => {
    event.preventDefault();
    if (passphrase !== repeated) {
      setError({ code: 'invalid-input', message: 'the two passphrases differ: type the same one twice' });
      return;
    }
    setIsBusy(true);
    const enrolled = await api['auth.enrol']({ code, passphrase, ...(wantsSecondFactor ? { totpCode } : {}) });
    setIsBusy(false);
    if (!enrolled.ok) return setError(enrolled.error);
    setError(null);
    setResult(enrolled.value);
  };

  if (!start) {
    return (
      <form onSubmit={open} aria-label="Open an enrolment code" className="form-grid">
        <label htmlFor="enrol-code">Enrolment code</label>
        <div className="form-field">
          <input id="enrol-code" type="text" autoComplete="off" value={code} onChange={(event) => setCode(event.target.value)} required autoFocus />
          <p className="form-hint">The one-time code an admin gave you with your invitation.</p>
        </div>
        <FormEnd isBusy={isBusy} label="Continue" busyLabel="Opening…" other={{ label: 'Back to sign in', onClick: onCancel }} error={error} />
      </form>
    );
  }

  return (
    <form onSubmit={enrol} aria-label="Enrol" className="form-grid">
      <span className="form-label">You are</span>
      <div className="form-field">
        <p className="sign-in-person">
          <strong>{start.name}</strong> · {start.roles.join(', ')}
        </p>
        <p className="form-hint">This code is valid until {new Date(start.expiresAt).toLocaleString()}.</p>
      </div>
      <label htmlFor="enrol-passphrase">Passphrase</label>
      <div className="form-field">
        <input id="enrol-passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} required autoFocus />
        <p className="form-hint">At least {start.minPassphraseLength} characters; a few unrelated words are easy to remember and hard to guess. Common passwords and your name are refused.</p>
      </div>
      <label htmlFor="enrol-passphrase-again">Passphrase again</label>
      <div className="form-field">
        <input id="enrol-passphrase-again" type="password" autoComplete="new-password" value={repeated} onChange={(event) => setRepeated(event.target.value)} required />
      </div>
      <span className="form-label">Second factor</span>
      <div className="form-field">
        <label>
          <input type="checkbox" checked={wantsSecondFactor} disabled={start.secondFactorRequired} onChange={(event) => setWantsSecondFactor(event.target.checked)} /> Add an authenticator app
        </label>
        {start.secondFactorRequired && <p className="form-hint">Your roles need one.</p>}
      </div>
      {wantsSecondFactor && (
        <>
          <span className="form-label">Authenticator</span>
          <div className="form-field">
            <p className="form-hint">Add this account to your authenticator app (TOTP, 6 digits, 30 seconds): open the link on a device that has the app, or type the secret.</p>
            <p>
              <a href={start.otpauthUri} className="sign-in-otpauth">
                {start.otpauthUri}
              </a>
            </p>
            <p>
              Secret: <code aria-label="Authenticator secret">{start.totpSecret}</code>
            </p>
          </div>
          <label htmlFor="enrol-totp">Code it shows</label>
          <div className="form-field">
            <input id="enrol-totp" type="text" inputMode="numeric" autoComplete="one-time-code" value={totpCode} onChange={(event) => setTotpCode(event.target.value)} required pattern="\d{6}" />
          </div>
        </>
      )}
      <FormEnd isBusy={isBusy} label="Enrol" busyLabel="Enrolling…" other={{ label: 'Back to sign in', onClick: onCancel }} error={error} />
    </form>
  );
}

/**
 * What the desktop app adds to the screen: the team server it is connected to (named, with how its
 * certificate is trusted), what is wrong with it (unreachable: the banner with its next try), a
 * note on keeping the session, and switching to another server or to this computer.
 */
export interface SignInServer {
  /** The server's short name (host and port), for the heading. */
  readonly name: string;
  /** The line naming the server. */
  readonly about: ReactNode;
  /** What is wrong with the server or the session now, or null. */
  readonly notice: ReactNode | null;
  /** A note at the end (why the session is not kept on this computer), or null. */
  readonly footnote: string | null;
  readonly onSwitch: () => void;
}

/**
 * The one sign-in screen, for a browser on a team server and the desktop app connected to one:
 * sign in, or enrol and then sign in. `reason` says why the person is here (signed out, session
 * ended); `initialName` is offered (the desktop's last person); `server` is the desktop's part.
 */
export function SignInScreen({ onSignedIn, reason, initialName = '', server = null }: { onSignedIn: () => void; reason: string | null; initialName?: string; server?: SignInServer | null }) {
  const [mode, setMode] = useState<{ kind: 'sign-in'; name: string } | { kind: 'enrol' }>({ kind: 'sign-in', name: initialName });
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">RepDesk</h1>
      {server && <p className="sign-in-server">{server.about}</p>}
      {server?.notice}
      {mode.kind === 'sign-in' ? (
        <>
          <h2>{server ? `Sign in to ${server.name}` : 'Sign in'}</h2>
          {reason && (
            <p className="sign-in-reason" role="status">
              {reason}
            </p>
          )}
          <SignInForm key={mode.name} initialName={mode.name} onSignedIn={onSignedIn} onEnrol={() => setMode({ kind: 'enrol' })} />
        </>
      ) : (
        <>
          <h2>{server ? `Enrol on ${server.name}` : 'Enrol'}</h2>
          <EnrolForm onEnrolled={(name) => setMode({ kind: 'sign-in', name })} onCancel={() => setMode({ kind: 'sign-in', name: initialName })} />
        </>
      )}
      {server && (
        <div className="sign-in-switch">
          {server.footnote && <p className="form-hint">{server.footnote}.</p>}
          <button type="button" className="secondary" onClick={server.onSwitch}>
            Another server, or this computer…
          </button>
        </div>
      )}
    </main>
  );
}
