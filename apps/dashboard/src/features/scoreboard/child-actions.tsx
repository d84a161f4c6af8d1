/** Recycle (graceful) or kill (now) the child in a slot, each confirmed, with its outcome. */
import { childAction, ApiError } from '../../lib/api.js';
import { useCanChange } from '../../lib/use-can-change.js';
import { confirmAction } from '../../components/confirm-dialog.js';
import type { OutcomeValue } from '../../components/outcome.js';
import { useSlotProcess } from './slot-details.js';

/** `onOutcome` lives with the inspector: the outcome outlasts the child (a kill removes its row). */
export function ChildActions({ slot, onOutcome: setOutcome }: { slot: number; onOutcome: (o: OutcomeValue) => void }) {
  const p = useSlotProcess(slot);
  const can = useCanChange();
  if (!p || p.pid === 0) return null;
  const pid = p.pid;
  const run = async (action: 'recycle' | 'kill') => {
    const ok = await confirmAction(
      action === 'recycle'
        ? { title: `Recycle child ${pid}?`, body: 'It stops taking connections, finishes what it holds, then exits; maintenance starts a replacement if the pool needs one.', details: [`Capacity drops by ${p.letters.length} slot(s) until a replacement is ready.`], confirmLabel: 'Recycle' }
        : { title: `Kill child ${pid}?`, body: 'SIGKILL now: its in-flight requests fail.', details: [`${p.letters.replace(/[_.SG]/g, '').length} slot(s) are busy and will fail.`, `Capacity drops by ${p.letters.length} slot(s).`], confirmLabel: 'Kill', danger: true },
    );
    if (!ok) return;
    setOutcome({ kind: 'pending', text: `${action === 'kill' ? 'Killing' : 'Recycling'} child ${pid}…` });
    try {
      const r = await childAction(pid, action);
      setOutcome({ kind: 'ok', text: `Child ${pid} ${action === 'kill' ? 'killed' : 'recycled'}${r.exited ? ' and exited' : ''}.` });
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    }
  };
  return (
    <div className="child-actions">
      <button type="button" className="btn" disabled={!can.allowed} title={can.reason ?? undefined} onClick={() => void run('recycle')} aria-label={`Recycle child ${pid}`}>Recycle</button>
      <button type="button" className="btn danger" disabled={!can.allowed} title={can.reason ?? undefined} onClick={() => void run('kill')} aria-label={`Kill child ${pid}`}>Kill</button>
    </div>
  );
}
