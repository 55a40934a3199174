/**
 * Correspondence of a record (`CorrespondenceTab`) or of an ISP (`CorrespondencePanel`): its
 * threads, and in the open thread (`ThreadView`, also shown by the review queues for a request's
 * or a nomination's thread) its mail and notes, mail import (.eml, mbox), a note, a reply drafted
 * from a template with the record's facts filled in (edited, then saved to the thread, exported
 * as .eml, or sent through the relay: "Send" only when one is configured, else the reason shown
 * beside the mail), and resolving the thread with its outcome.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../../../shared/result.js';
import {
  REPLY_TEMPLATE_LABELS,
  REPLY_TEMPLATES,
  THREAD_OUTCOMES,
  type ReplyDraft,
  type ReplyTemplate,
  type ThreadDetail,
  type ThreadImportResult,
  type ThreadOutcome,
} from '../../../../shared/evidence.js';
import { useApi } from '../../api.js';
import { formatTime } from '../../format.js';
import { useReloadable } from '../../useOperation.js';
import { ErrorLine } from '../ErrorLine.js';
import { downloadBase64 } from './files.js';
import { fileRef, useFileSender } from '../../uploads.js';
import { UploadProgressLine } from '../UploadProgress.js';
import './record.css';

type Owner = { readonly listingId: number } | { readonly isp: string };

function ReplyForm({ thread, onSaved, initialTemplate }: { thread: ThreadDetail; onSaved: (thread: ThreadDetail) => void; initialTemplate?: ReplyTemplate }) {
  const api = useApi();
  const [template, setTemplate] = useState<ReplyTemplate>(initialTemplate ?? (thread.isp === null ? 'delisting-granted' : 'dul-submission-received'));
  const [draft, setDraft] = useState<ReplyDraft | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const templates = REPLY_TEMPLATES.filter((name) => (thread.isp === null ? name !== 'dul-submission-received' : true));
  const makeDraft = (chosen: ReplyTemplate = template) => {
    setError(null);
    api['threads.draft']({ threadId: thread.id, template: chosen }).then((result) => (result.ok ? setDraft(result.value) : setError(result.error)));
  };
  // Opened for a reply (the DUL page after a submission): the draft is made at once.
  useEffect(() => {
    if (initialTemplate) makeDraft(initialTemplate);
  }, [initialTemplate]);
  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    api['threads.reply']({ threadId: thread.id, to: draft.to, subject: draft.subject, text: draft.text }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setDraft(null);
        onSaved(result.value);
      }
    });
  };
  return (
    <form className="reply-form" onSubmit={save} aria-label="Reply from a template">
      <label>
        Template{' '}
        <select aria-label="Template" value={template} onChange={(event) => setTemplate(event.target.value as ReplyTemplate)}>
          {templates.map((name) => (
            <option key={name} value={name}>
              {REPLY_TEMPLATE_LABELS[name]}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="secondary" onClick={() => makeDraft()}>
        Draft
      </button>
      {draft && (
        <>
          <label>
            To <input type="email" value={draft.to} required onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
          </label>
          <label>
            Subject <input value={draft.subject} required onChange={(event) => setDraft({ ...draft, subject: event.target.value })} />
          </label>
          <label>
            Text <textarea aria-label="Text" value={draft.text} rows={14} required onChange={(event) => setDraft({ ...draft, text: event.target.value })} />
          </label>
          <p className="muted">
            From {draft.from}
            {draft.inReplyTo ? `, in reply to ${draft.inReplyTo}` : ''}. Saved to the thread as mail, exactly as shown; then export it as .eml or send it. {thread.relay.text}
          </p>
          <button type="submit">Save the reply</button>
        </>
      )}
      {error && <ErrorLine error={error} />}
    </form>
  );
}

/** One thread: its mail and notes, and (while open) import, notes, replies and resolving. */
export function ThreadView({ id, onChanged, initialTemplate }: { id: number; onChanged: () => void; initialTemplate?: ReplyTemplate }) {
  const api = useApi();
  const detail = useReloadable(() => api['threads.get']({ id }));
  const [note, setNote] = useState('');
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('inbound');
  const [outcome, setOutcome] = useState<ThreadOutcome>('answered');
  const [why, setWhy] = useState('');
  const [imported, setImported] = useState<ThreadImportResult | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const sender = useFileSender();
  if (detail.loaded.state === 'loading') return <p aria-live="polite">Loading the thread…</p>;
  if (detail.loaded.state === 'failed') return <ErrorLine error={detail.loaded.error} />;
  const thread = detail.loaded.value;
  const isOpen = thread.status === 'open';
  const changed = () => {
    setError(null);
    detail.reload();
    onChanged();
  };
  const addNote = (event: FormEvent) => {
    event.preventDefault();
    api['threads.note']({ threadId: id, text: note }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setNote('');
        changed();
      }
    });
  };
  const importFiles = async (files: readonly File[]) => {
    setImported(null);
    const sent = await sender.send(files);
    if (!sent.ok) {
      setError(sent.error);
      return;
    }
    const result = await api['threads.import']({ threadId: id, direction, importValid: false, files: sent.value.map(fileRef) });
    if (!result.ok) setError(result.error);
    else {
      setImported(result.value);
      changed();
    }
  };
  const exportMessage = (messageId: number) =>
    api['threads.export']({ id: messageId }).then((result) => (result.ok ? downloadBase64(result.value.fileName, result.value.base64) : setError(result.error)));
  const send = (messageId: number) =>
    api['threads.send']({ id: messageId }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setError(null);
        setSent(`Sent to ${result.value.accepted.join(', ')}: ${result.value.response}`);
        detail.reload();
      }
    });
  const resolve = (event: FormEvent) => {
    event.preventDefault();
    api['threads.resolve']({ threadId: id, outcome, why: why || undefined }).then((result) => (result.ok ? changed() : setError(result.error)));
  };
  return (
    <article className="panel thread" aria-label={`Thread #${thread.id}`}>
      <div className="panel-heading">
        <h3>{thread.subject}</h3>
        <span className={`status status-${isOpen ? 'active' : 'delisted'}`}>{isOpen ? 'open' : `resolved: ${thread.outcome}`}</span>
      </div>
      {error && <ErrorLine error={error} />}
      {sent && <p role="status">{sent}</p>}
      <ol className="thread-messages">
        {thread.messages.map((message) => (
          <li key={message.id} className={`thread-message thread-message-${message.direction}`}>
            <div className="thread-message-heading">
              <span className="tag">{message.direction}</span>{' '}
              {message.direction === 'note' ? `by ${message.createdBy}` : `${message.from ?? '?'} → ${message.to ?? '?'}`}
              {message.subject && <strong> {message.subject}</strong>}{' '}
              <span className="muted">{formatTime(message.sentAt ?? message.createdAt)}</span>
              {message.hasRaw && (
                <button type="button" className="secondary" onClick={() => void exportMessage(message.id)}>
                  Export .eml
                </button>
              )}
              {message.hasRaw && message.direction === 'outbound' && thread.relay.isConfigured && (
                <button type="button" className="secondary" onClick={() => void send(message.id)} title={thread.relay.text}>
                  Send through the relay
                </button>
              )}
              {message.hasRaw && message.direction === 'outbound' && !thread.relay.isConfigured && (
                <span className="muted relay-status" role="note">
                  {thread.relay.text}
                </span>
              )}
            </div>
            <pre className="thread-message-text">{message.text}</pre>
          </li>
        ))}
      </ol>
      {thread.messages.length === 0 && <p className="muted">No messages yet.</p>}
      {isOpen && (
        <>
          <form onSubmit={addNote} aria-label="Internal note">
            <label>
              Internal note <textarea value={note} onChange={(event) => setNote(event.target.value)} rows={2} required />
            </label>
            <button type="submit">Add note</button>
          </form>
          <div className="action-row" aria-label="Import mail">
            <label>
              Import mail as{' '}
              <select aria-label="Import mail as" value={direction} onChange={(event) => setDirection(event.target.value === 'outbound' ? 'outbound' : 'inbound')}>
                <option value="inbound">received</option>
                <option value="outbound">sent by us</option>
              </select>
            </label>
            <input
              type="file"
              multiple
              aria-label="Mail files (.eml, mbox)"
              accept=".eml,.mbox,message/rfc822,application/mbox"
              onChange={(event) => {
                const files = [...(event.target.files ?? [])];
                event.target.value = '';
                if (files.length > 0) void importFiles(files);
              }}
            />
            <UploadProgressLine progress={sender.progress} />
          </div>
          {imported && (
            <ul className="sample-outcome-list" aria-label="Mail import outcome">
              {imported.messages.map((message, index) => (
                <li key={index} className={`sample-outcome-${message.outcome}`}>
                  {message.file}: {message.outcome}
                  {message.problem && ` — ${message.problem}`}
                </li>
              ))}
            </ul>
          )}
          <ReplyForm thread={thread} onSaved={changed} initialTemplate={initialTemplate} />
          <form onSubmit={resolve} aria-label="Resolve the thread" className="action-row">
            <label>
              Outcome{' '}
              <select aria-label="Outcome" value={outcome} onChange={(event) => setOutcome(event.target.value as ThreadOutcome)}>
                {THREAD_OUTCOMES.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Why <input value={why} onChange={(event) => setWhy(event.target.value)} />
            </label>
            <button type="submit">Resolve</button>
          </form>
        </>
      )}
    </article>
  );
}

/** A reply the page suggests: a new thread with this subject, the template drafted in it at once. */
export interface ReplySuggestion {
  readonly label: string;
  readonly subject: string;
  readonly template: ReplyTemplate;
}

function Threads({ owner, title, onChanged, suggestion }: { owner: Owner; title: string; onChanged?: () => void; suggestion?: ReplySuggestion }) {
  const api = useApi();
  const threads = useReloadable(() => api['threads.list'](owner));
  const [openId, setOpenId] = useState<number | null>(null);
  const [drafting, setDrafting] = useState<ReplyTemplate | undefined>(undefined);
  const [subject, setSubject] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const open = (threadSubject: string, template?: ReplyTemplate) =>
    api['threads.create']({ ...owner, subject: threadSubject }).then((result) => {
      if (!result.ok) setError(result.error);
      else {
        setError(null);
        setSubject('');
        setDrafting(template);
        setOpenId(result.value.id);
        threads.reload();
        onChanged?.();
      }
    });
  const create = (event: FormEvent) => {
    event.preventDefault();
    void open(subject);
  };
  // An ISP's name may hold spaces, which would split an id reference: React makes the id.
  const titleId = useId();
  return (
    <section className="correspondence" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {threads.loaded.state === 'failed' && <ErrorLine error={threads.loaded.error} />}
      {threads.loaded.state === 'done' && threads.loaded.value.length === 0 && <p className="muted">No correspondence yet.</p>}
      {threads.loaded.state === 'done' && threads.loaded.value.length > 0 && (
        <ul className="thread-list" aria-label="Threads">
          {threads.loaded.value.map((thread) => (
            <li key={thread.id}>
              <button
                type="button"
                className="link-button"
                aria-pressed={thread.id === openId}
                onClick={() => {
                  setDrafting(undefined);
                  setOpenId(thread.id);
                }}
              >
                {thread.subject}
              </button>{' '}
              <span className="muted">
                {thread.status === 'open' ? 'open' : `resolved (${thread.outcome})`} · {thread.messageCount} message{thread.messageCount === 1 ? '' : 's'} · {formatTime(thread.lastAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {suggestion && (
        <div className="action-row">
          <button type="button" onClick={() => void open(suggestion.subject, suggestion.template)}>
            {suggestion.label}
          </button>
        </div>
      )}
      <form onSubmit={create} aria-label="New thread" className="action-row">
        <label>
          New thread <input value={subject} onChange={(event) => setSubject(event.target.value)} placeholder="Delisting request from the ISP" required />
        </label>
        <button type="submit">Open thread</button>
      </form>
      {error && <ErrorLine error={error} />}
      {openId !== null && (
        <ThreadView
          key={openId}
          id={openId}
          onChanged={() => {
            threads.reload();
            onChanged?.();
          }}
          initialTemplate={drafting}
        />
      )}
    </section>
  );
}

/** The correspondence of one record (listing); `onChanged` lets the record's counts follow. */
export function CorrespondenceTab({ listingId, onChanged }: { listingId: number; onChanged?: () => void }) {
  return <Threads owner={{ listingId }} title="Correspondence" onChanged={onChanged} />;
}

/** The correspondence of one ISP (its DUL submissions and anything else with its people); `suggestion`: a reply the page offers (after a submission). */
export function CorrespondencePanel({ isp, suggestion }: { isp: string; suggestion?: ReplySuggestion }) {
  return <Threads owner={{ isp }} title="Correspondence" suggestion={suggestion} />;
}
