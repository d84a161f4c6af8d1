/**
 * One confirmation dialog for the whole page, asked from anywhere with `confirmAction()`
 * (a promise of the operator's answer). A native <dialog>: modal, focus-trapped, Escape cancels.
 */
import { useEffect, useRef } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export interface ConfirmRequest {
  title: string;
  body: string;
  /** Listed under the body: what changes, what capacity drops. */
  details?: string[];
  confirmLabel: string;
  danger?: boolean;
}

interface ConfirmState {
  request: ConfirmRequest | null;
  resolve: ((ok: boolean) => void) | null;
}

const confirmStore = createStore<ConfirmState>()(() => ({ request: null, resolve: null }));

export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  confirmStore.getState().resolve?.(false);
  return new Promise((resolve) => confirmStore.setState({ request, resolve }));
}

function answer(ok: boolean): void {
  const { resolve } = confirmStore.getState();
  confirmStore.setState({ request: null, resolve: null });
  resolve?.(ok);
}

export function ConfirmDialog() {
  const request = useStore(confirmStore, (s) => s.request);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) d.showModal();
    if (!request && d.open) d.close();
  }, [request]);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-title" onCancel={(e) => { e.preventDefault(); answer(false); }}>
      {request && (
        <form method="dialog" onSubmit={(e) => { e.preventDefault(); answer(true); }}>
          <h2 id="confirm-title">{request.title}</h2>
          <p>{request.body}</p>
          {request.details && request.details.length > 0 && (
            <ul className="confirm-details">
              {request.details.map((d) => <li key={d}>{d}</li>)}
            </ul>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn ghost" onClick={() => answer(false)}>Cancel</button>
            <button type="submit" className={request.danger ? 'btn danger' : 'btn primary'} autoFocus>{request.confirmLabel}</button>
          </div>
        </form>
      )}
    </dialog>
  );
}
