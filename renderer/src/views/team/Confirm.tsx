/**
 * A button whose action needs a second click: the first shows what will happen and asks, the
 * second does it (ending a session, deactivating a person, revoking a key cannot be undone by
 * a misclick's Ctrl+Z).
 */
import { useState } from 'react';

export function ConfirmButton({ label, question, confirmLabel, onConfirm, disabled }: { label: string; question: string; confirmLabel: string; onConfirm: () => void; disabled?: boolean }) {
  const [isAsking, setIsAsking] = useState(false);
  if (!isAsking) {
    return (
      <button type="button" className="secondary" onClick={() => setIsAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span className="team-confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        onClick={() => {
          setIsAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="secondary" onClick={() => setIsAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
