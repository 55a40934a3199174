/**
 * A question before an action that is hard to take back (going live with a snapshot, a bulk
 * action on every listing matching a filter): a modal dialog naming what will change, with the
 * action's own name on the confirming button and Cancel (also Esc) as the way out.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import './confirm-dialog.css';

export function ConfirmDialog({
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  children,
}: {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      role="alertdialog"
      aria-label={title}
      onCancel={(event) => {
        // Esc: the dialog closes through our state, not by itself.
        event.preventDefault();
        onCancel();
      }}
    >
      <h2>{title}</h2>
      <div className="confirm-dialog-body">{children}</div>
      <div className="confirm-dialog-actions">
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
