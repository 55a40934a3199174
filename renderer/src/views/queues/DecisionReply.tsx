/**
 * The reply part of a queue decision, shared by nominations and delisting requests: what goes out
 * (the reply the core drafts for the decision as chosen, redrafted as the choice changes until the
 * reviewer edits it, then theirs) shown apart from what stays in the history (the reason). The
 * reply shown is the reply sent with the decision, so what is stored is what was previewed.
 */
import { useEffect, useState } from 'react';
import type { ApiError, ApiResult } from '../../../../shared/result.js';
import type { MailDraft } from '../../../../shared/evidence.js';
import { ErrorLine } from '../ErrorLine.js';
import './queues.css';

export interface DecisionDraft {
  /** The drafted reply, or null while it is being drafted. */
  readonly draft: MailDraft | null;
  readonly error: ApiError | null;
  readonly subject: string;
  readonly text: string;
  readonly isEdited: boolean;
  editSubject(subject: string): void;
  editText(text: string): void;
  reset(): void;
}

/** Draft the reply with `load` whenever `key` (the decision as chosen) changes; edits stay until reset. */
export function useDecisionDraft(load: () => Promise<ApiResult<MailDraft>>, key: string): DecisionDraft {
  const [draft, setDraft] = useState<MailDraft | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [edited, setEdited] = useState<{ subject: string | null; text: string | null }>({ subject: null, text: null });
  useEffect(() => {
    let isCurrent = true;
    setDraft(null);
    load().then((result) => {
      if (!isCurrent) return;
      if (result.ok) {
        setDraft(result.value);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      isCurrent = false;
    };
  }, [key]);
  return {
    draft,
    error,
    subject: edited.subject ?? draft?.subject ?? '',
    text: edited.text ?? draft?.text ?? '',
    isEdited: edited.subject !== null || edited.text !== null,
    editSubject: (subject) => setEdited({ ...edited, subject }),
    editText: (text) => setEdited({ ...edited, text }),
    reset: () => setEdited({ subject: null, text: null }),
  };
}

/** What goes out (to whom, subject, text), then what stays in the history (the reason). */
export function ReplyFields({ reply, recipient, why, onWhy }: { reply: DecisionDraft; recipient: string; why: string; onWhy: (why: string) => void }) {
  const to = reply.draft?.to;
  return (
    <div className="decision-reply">
      <fieldset className="queue-block" aria-label="What goes out">
        <legend>What goes out: the reply to {recipient}</legend>
        {reply.draft === null && reply.error === null && <p aria-live="polite">Drafting the reply…</p>}
        {reply.error && <ErrorLine error={reply.error} />}
        {reply.draft && (
          <>
            <p className="muted">
              {to ? (
                <>
                  From {reply.draft.from} to <strong>{to}</strong>. Saved into the correspondence thread as mail, exactly as shown here, when you decide; then export it as .eml or send it
                  from the thread.
                </>
              ) : (
                <>{recipient} gave no mail address: the reply is kept in the correspondence thread as a note, to send some other way.</>
              )}
            </p>
            <label className="queue-block">
              Subject
              <input type="text" value={reply.subject} onChange={(event) => reply.editSubject(event.target.value)} />
            </label>
            <label className="queue-block">
              Reply
              {reply.isEdited && (
                <button type="button" className="link-button" onClick={reply.reset}>
                  back to the draft
                </button>
              )}
              <textarea aria-label="Reply" rows={12} value={reply.text} onChange={(event) => reply.editText(event.target.value)} />
            </label>
          </>
        )}
      </fieldset>
      <fieldset className="queue-block" aria-label="What stays in the history">
        <legend>What stays in the history: not sent</legend>
        <label className="queue-block">
          Reason (required)
          <textarea rows={2} value={why} onChange={(event) => onWhy(event.target.value)} required />
        </label>
      </fieldset>
    </div>
  );
}
