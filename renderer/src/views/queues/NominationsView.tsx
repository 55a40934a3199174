/**
 * The GAL nomination queue (`#/nominations/<filters>`): the queue with its filters and ageing
 * nominations standing out, intake (the form for nominations received by email or phone, a
 * bundle file, the two sample CSV templates), and one nomination (`#/nominations/id=N`) with the
 * investigation checks computed when it is opened and the reviewer's decision.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ApiError, ApiResult } from '../../../../shared/result.js';
import {
  NOMINATION_STATUSES,
  type MtaAids,
  type NominationMtaInput,
  type NominationSummaryView,
  type NominationView as Nomination,
} from '../../../../shared/queues.js';
import { describeOrigin } from '../../../../shared/team.js';
import type { UploadReceipt } from '../../../../shared/files.js';
import { useApi } from '../../api.js';
import { takeWaitingFiles, useWaitingFiles } from '../../desktop.js';
import { describeHistoryEvent } from '../../../../shared/history-sentences.js';
import { formatTime } from '../../format.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { useOperation } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { ListBadge } from '../ListBadge.js';
import { ChosenFiles, FileInput, UploadProgressLine } from '../UploadProgress.js';
import { ThreadView } from '../record/CorrespondenceTab.js';
import { ReplyFields, useDecisionDraft } from './DecisionReply.js';
import { Facts, formatAge, parseQueueParams, queueHref } from './queueParts.js';
import { QueueList } from './QueueList.js';
import './queues.css';

const EMPTY_MTA: NominationMtaInput = { ip: '', fqdn: '', domain: '', company: '', country: '', companyType: '' };

function csvHref(text: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`;
}

function Templates() {
  const api = useApi();
  const templates = useOperation(() => api['nominations.templates']({}), 'templates');
  if (templates.state !== 'done') return null;
  return (
    <p className="queue-templates">
      Sample CSV templates (what the import accepts):{' '}
      <a href={csvHref(templates.value.mtas.text)} download={templates.value.mtas.filename}>
        MTA entries ({templates.value.mtas.filename})
      </a>
      {' · '}
      <a href={csvHref(templates.value.helos.text)} download={templates.value.helos.filename}>
        HELO strings ({templates.value.helos.filename})
      </a>
    </p>
  );
}

function NominationForm() {
  const api = useApi();
  const [contact, setContact] = useState({ email: '', firstName: '', lastName: '' });
  const [mtas, setMtas] = useState<NominationMtaInput[]>([EMPTY_MTA]);
  const [helos, setHelos] = useState('');
  const [received, setReceived] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [bundleFiles, setBundleFiles] = useState<readonly File[]>([]);
  const [bundleError, setBundleError] = useState<ApiError | null>(null);
  // A bundle chosen in the desktop's File menu or dropped on the window (an upload the shell registered;
  // its CSV files are read from its folder): the intake opens with it loaded.
  const waitingBundles = useWaitingFiles('nominations');
  const [isOpen, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<readonly UploadReceipt[]>([]);
  useEffect(() => {
    if (!waitingBundles) return;
    setLoaded(waitingBundles);
    setBundleFiles([]);
    setOpen(true);
    takeWaitingFiles('nominations');
  }, [waitingBundles]);
  const sender = useFileSender();

  const opened = (result: ApiResult<Nomination>, onError: (error: ApiError) => void) => {
    if (!result.ok) onError(result.error);
    else window.location.hash = queueHref('nominations', { id: result.value.id });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    api['nominations.add']({
      mtas,
      helos: helos.split('\n').map((line) => line.trim()).filter(Boolean),
      contact,
      received: received || undefined,
    }).then((result) => opened(result, setError));
  };
  /** The bundle's JSON file and the CSV files it names, sent as uploads; the CSV files go by their names. */
  const importReceipts = (receipts: readonly UploadReceipt[]) => {
    const bundles = receipts.filter((receipt) => /\.json$/i.test(receipt.name));
    if (bundles.length !== 1) {
      setBundleError({ code: 'invalid-input', message: `choose one bundle (.json) and the CSV files it names; ${bundles.length === 0 ? 'no .json file was chosen' : `${bundles.length} .json files were chosen`}` });
      return;
    }
    const files = Object.fromEntries(receipts.filter((receipt) => receipt !== bundles[0]).map((receipt) => [receipt.name, fileRef(receipt)]));
    api['nominations.import']({ bundle: fileRef(bundles[0]), files }).then((result) => opened(result, setBundleError));
  };
  const importBundle = async (event: FormEvent) => {
    event.preventDefault();
    setBundleError(null);
    // Files chosen here are sent first; a bundle the shell handed over is an upload already.
    if (bundleFiles.length === 0) {
      importReceipts(loaded);
      return;
    }
    const sent = await sender.send(bundleFiles);
    if (!sent.ok) setBundleError(sent.error);
    else importReceipts(sent.value);
  };
  const setMta = (index: number, key: keyof NominationMtaInput, value: string) => setMtas((rows) => rows.map((row, position) => (position === index ? { ...row, [key]: value } : row)));
  const columns: ReadonlyArray<readonly [keyof NominationMtaInput, string]> = [
    ['ip', 'IP'],
    ['fqdn', 'FQDN'],
    ['domain', 'Email domain'],
    ['company', 'Company'],
    ['country', 'Country/region'],
    ['companyType', 'Type of company'],
  ];
  return (
    <details className="panel queue-intake" open={isOpen} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>New nomination (received by email or phone)</summary>
      <form onSubmit={submit} aria-label="New nomination">
        <fieldset>
          <legend>Mail Transfer Agents</legend>
          <table className="mta-entry">
            <thead>
              <tr>
                {columns.map(([key, title]) => (
                  <th key={key} scope="col">
                    {title}
                  </th>
                ))}
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {mtas.map((mta, index) => (
                <tr key={index}>
                  {columns.map(([key, title]) => (
                    <td key={key}>
                      <input type="text" aria-label={`MTA ${index + 1} ${title}`} value={mta[key]} onChange={(event) => setMta(index, key, event.target.value)} required />
                    </td>
                  ))}
                  <td>
                    {mtas.length > 1 && (
                      <button type="button" className="secondary" onClick={() => setMtas((rows) => rows.filter((_, position) => position !== index))}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="secondary" onClick={() => setMtas((rows) => [...rows, EMPTY_MTA])}>
            Add another MTA
          </button>
        </fieldset>
        <fieldset>
          <legend>HELO/EHLO strings</legend>
          <label>
            One a line <textarea aria-label="HELO strings" rows={2} value={helos} onChange={(event) => setHelos(event.target.value)} />
          </label>
        </fieldset>
        <fieldset className="queue-form-row">
          <legend>Contact</legend>
          <label>
            Email <input type="text" value={contact.email} onChange={(event) => setContact({ ...contact, email: event.target.value })} required />
          </label>
          <label>
            First name <input type="text" value={contact.firstName} onChange={(event) => setContact({ ...contact, firstName: event.target.value })} required />
          </label>
          <label>
            Last name <input type="text" value={contact.lastName} onChange={(event) => setContact({ ...contact, lastName: event.target.value })} required />
          </label>
          <label>
            Received <input type="date" value={received} onChange={(event) => setReceived(event.target.value)} />
          </label>
        </fieldset>
        <button type="submit">Add nomination</button>
        {error && <ErrorLine error={error} />}
      </form>
      <form onSubmit={importBundle} aria-label="Import a nomination bundle" className="queue-form-row">
        <label>
          Bundle and its CSV files{' '}
          <FileInput
            multiple
            accept=".json,.csv,application/json,text/csv"
            onChoose={(files) => {
              setBundleFiles(files);
              setLoaded([]);
            }}
          />
        </label>
        <ChosenFiles files={bundleFiles.length > 0 ? bundleFiles : loaded} />
        <button type="submit" disabled={(bundleFiles.length === 0 && loaded.length === 0) || sender.progress !== null}>
          Import
        </button>
        <UploadProgressLine progress={sender.progress} />
        <p className="muted queue-hint">
          A JSON file: <code>{'{"contact": {"email", "firstName", "lastName"}, "mtas": "mtas.csv", "helos": "helos.csv"}'}</code>; choose it together with the CSV
          files it names (following the templates).
        </p>
        {bundleError && <ErrorLine error={bundleError} />}
      </form>
      <Templates />
    </details>
  );
}

function NominationQueue({ argument }: { argument: string | null }) {
  const api = useApi();
  return (
    <QueueList<NominationSummaryView>
      argument={argument}
      title="GAL nominations"
      section="nominations"
      tableLabel="Nomination queue"
      noun="nomination"
      statuses={NOMINATION_STATUSES}
      topics={['nominations']}
      load={(filter) => api['nominations.list'](filter)}
      intake={<NominationForm />}
      columns={[
        { header: 'IPs', cell: (item) => `${item.ips.slice(0, 3).join(', ')}${item.ips.length > 3 ? ` +${item.ips.length - 3}` : ''}` },
        { header: 'Contact', cell: (item) => item.contact.email },
      ]}
    />
  );
}

const CHECK_TITLES: ReadonlyArray<readonly [keyof Omit<MtaAids, 'ip'>, string]> = [
  ['listed', 'Listed'],
  ['dul', 'Inside a DUL range'],
  ['fcrdns', 'Forward-confirmed reverse DNS'],
  ['helo', 'HELO matches the FQDN'],
  ['samples', 'Spam samples from the IP'],
];

function Checks({ aids }: { aids: MtaAids }) {
  return (
    <table aria-label={`Checks for ${aids.ip}`} className="queue-checks">
      <caption>Checks for {aids.ip}</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
          <th scope="col">Ran</th>
        </tr>
      </thead>
      <tbody>
        {CHECK_TITLES.map(([key, title]) => {
          const check = aids[key];
          return (
            <tr key={key}>
              <th scope="row">{title}</th>
              <td>
                <span className={`check-status ${check.ok ? 'check-pass' : 'check-warn'}`}>{check.ok ? 'ok' : 'flag'}</span> {check.result}
                {key === 'listed' &&
                  aids.listed.listings.map((listing) => (
                    <span key={listing.id} className="queue-listing-link">
                      {' '}
                      <ListBadge list={listing.list} /> <a href={`#/record/${listing.id}`}>#{listing.id}</a>
                    </span>
                  ))}
              </td>
              <td>{formatTime(check.at)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function NominationDecision({ nomination, onDecided }: { nomination: Nomination; onDecided: (view: Nomination) => void }) {
  const api = useApi();
  const [decision, setDecision] = useState<'approve' | 'reject' | 'needs-information'>('approve');
  const [why, setWhy] = useState('');
  const [conflicts, setConflicts] = useState<Record<string, 'delist' | 'refuse' | ''>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const blocked = (nomination.aids ?? []).filter((aids) => aids.listed.listings.some((listing) => listing.list !== 'GAL'));
  const isUnresolved = decision === 'approve' && blocked.some((aids) => !conflicts[aids.ip]);
  const chosen = Object.fromEntries(Object.entries(conflicts).filter((entry): entry is [string, 'delist' | 'refuse'] => entry[1] !== ''));
  const choice = { id: nomination.id, decision, conflicts: decision === 'approve' && Object.keys(chosen).length > 0 ? chosen : undefined };
  const reply = useDecisionDraft(() => api['nominations.draft'](choice), JSON.stringify(choice));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    // The reply sent is the one shown: stored as previewed.
    api['nominations.decide']({ ...choice, why, reply: reply.text, replySubject: reply.subject }).then((result) => (result.ok ? onDecided(result.value) : setError(result.error)));
  };
  return (
    <form className="panel queue-decision" onSubmit={submit} aria-label="Decision">
      <h2>Decision</h2>
      <fieldset className="queue-form-row">
        <legend>Decide</legend>
        {(['approve', 'reject', 'needs-information'] as const).map((kind) => (
          <label key={kind}>
            <input type="radio" name="decision" value={kind} checked={decision === kind} onChange={() => setDecision(kind)} /> {kind === 'needs-information' ? 'Needs information' : kind === 'approve' ? 'Approve' : 'Reject'}
          </label>
        ))}
      </fieldset>
      {decision === 'approve' && blocked.length > 0 && (
        <fieldset className="queue-conflicts">
          <legend>Blocklist conflicts: resolve each before approving</legend>
          {blocked.map((aids) => (
            <div key={aids.ip} className="queue-conflict">
              <p>
                <strong>{aids.ip}</strong> is on {aids.listed.result}
              </p>
              <label>
                <input type="radio" name={`conflict-${aids.ip}`} checked={conflicts[aids.ip] === 'delist'} onChange={() => setConflicts({ ...conflicts, [aids.ip]: 'delist' })} /> Delist the
                blocking listings and approve {aids.ip}
              </label>
              <label>
                <input type="radio" name={`conflict-${aids.ip}`} checked={conflicts[aids.ip] === 'refuse'} onChange={() => setConflicts({ ...conflicts, [aids.ip]: 'refuse' })} /> Refuse {aids.ip}
              </label>
            </div>
          ))}
        </fieldset>
      )}
      <ReplyFields reply={reply} recipient={`${nomination.contact.firstName} ${nomination.contact.lastName} (${nomination.contact.email})`} why={why} onWhy={setWhy} />
      <button type="submit" disabled={why.trim() === '' || isUnresolved || reply.draft === null || reply.text.trim() === ''}>
        {decision === 'approve' ? 'Approve' : decision === 'reject' ? 'Reject' : 'Ask for information'}
      </button>
      {isUnresolved && <p className="muted">Resolve every blocklist conflict first.</p>}
      {error && <ErrorLine error={error} />}
    </form>
  );
}

function History({ events }: { events: Nomination['history'] }) {
  return (
    <ul className="queue-history" aria-label="History">
      {events.map((event) => (
        <li key={event.id}>
          {formatTime(event.at)} · {event.actor} · {describeHistoryEvent(event, formatTime)}
          {event.reason ? ` “${event.reason}”` : ''}
          {describeOrigin(event) ? ` · ${describeOrigin(event)}` : ''}
        </li>
      ))}
    </ul>
  );
}

function NominationDetail({ id }: { id: number }) {
  const api = useApi();
  const [view, setView] = useState<{ id: number; loaded: ApiResult<Nomination> } | null>(null);
  useEffect(() => {
    let isCurrent = true;
    // Opening runs the checks and keeps them; someone who may not (no team role) still reads it.
    api['nominations.open']({ id })
      .then((result) => (!result.ok && result.error.code === 'forbidden' ? api['nominations.get']({ id }) : result))
      .then((loaded) => isCurrent && setView({ id, loaded }));
    return () => {
      isCurrent = false;
    };
  }, [id]);
  if (view === null || view.id !== id) return <p aria-live="polite">Opening nomination #{id} and running its checks…</p>;
  if (!view.loaded.ok) return <ErrorLine error={view.loaded.error} />;
  const nomination = view.loaded.value;
  const isOpen = ['new', 'investigating', 'needs-information'].includes(nomination.status);
  return (
    <section aria-labelledby="view-title">
      <p>
        <a href={queueHref('nominations', {})}>← Nomination queue</a>
      </p>
      <h1 id="view-title">
        Nomination #{nomination.id} <span className={`queue-status queue-status-${nomination.status}`}>{nomination.status}</span>
        {nomination.isOverdue && <span className="tag tag-overdue">overdue</span>}
      </h1>
      <Facts
        items={[
          ['Contact', `${nomination.contact.firstName} ${nomination.contact.lastName} <${nomination.contact.email}>`],
          ['Received', `${formatTime(nomination.receivedAt)} (${formatAge(nomination.ageHours)} ago)`],
          ['Due', formatTime(nomination.dueAt)],
          ['Assignee', nomination.assignee ?? 'unassigned'],
          ['Source', nomination.source],
          ['Checks ran', nomination.aidsAt ? formatTime(nomination.aidsAt) : 'not yet'],
        ]}
      />
      <div className="table-scroll">
        <table aria-label="MTAs">
          <thead>
            <tr>
              <th scope="col">IP</th>
              <th scope="col">FQDN</th>
              <th scope="col">Email domain</th>
              <th scope="col">Company</th>
              <th scope="col">Country/region</th>
              <th scope="col">Type</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {nomination.mtas.map((mta) => (
              <tr key={mta.ip}>
                <td>{mta.ip}</td>
                <td>{mta.fqdn}</td>
                <td>{mta.domain}</td>
                <td>{mta.company}</td>
                <td>{mta.country}</td>
                <td>{mta.companyType}</td>
                <td>
                  {mta.outcome ?? ''}
                  {mta.galListingId !== null && (
                    <>
                      {' '}
                      <ListBadge list="GAL" /> <a href={`#/record/${mta.galListingId}`}>#{mta.galListingId}</a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>HELO/EHLO strings: {nomination.helos.length > 0 ? nomination.helos.join(', ') : <span className="muted">none given</span>}</p>
      {nomination.aids && (
        <div className="queue-aids">
          {nomination.aids.map((aids) => (
            <Checks key={aids.ip} aids={aids} />
          ))}
        </div>
      )}
      {isOpen ? (
        <NominationDecision nomination={nomination} onDecided={(decided) => setView({ id, loaded: { ok: true, value: decided } })} />
      ) : (
        nomination.decision && (
          <div className="panel queue-decided" role="status">
            <h2>
              Decided: {nomination.decision.kind} by {nomination.decision.by}, {formatTime(nomination.decision.at)}
            </h2>
            <p>Reason (in the history, not sent): {nomination.decision.why}</p>
            <pre className="queue-reply">{nomination.decision.reply}</pre>
          </div>
        )
      )}
      {nomination.threadId !== null && (
        <section aria-label="Correspondence with the nominee">
          <h2>Correspondence with the nominee</h2>
          <ThreadView key={`${nomination.threadId}-${nomination.status}`} id={nomination.threadId} onChanged={() => undefined} />
        </section>
      )}
      <h2>History</h2>
      <History events={nomination.history} />
    </section>
  );
}

export function NominationsView({ argument }: { argument: string | null }) {
  const params = parseQueueParams(argument);
  return params.id !== undefined ? <NominationDetail id={params.id} /> : <NominationQueue argument={argument} />;
}
