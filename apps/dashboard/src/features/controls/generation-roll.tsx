/** The roll of generations as it happens: new children coming up, old ones finishing. */
import { useShallow } from 'zustand/react/shallow';
import { useDashboard } from '../../lib/store.js';

export function GenerationRoll() {
  const g = useDashboard(
    useShallow((s) => {
      const snap = s.stream.snapshot;
      if (!snap) return null;
      let fresh = 0;
      let ready = 0;
      let old = 0;
      let oldBusy = 0;
      const oldGens = new Set<number>();
      for (const p of snap.processes) {
        if (p.generation === snap.generation) {
          if (p.pid === 0) continue;
          fresh++;
          if (!/^[S.]*$/.test(p.letters)) ready++;
        } else {
          old++;
          oldGens.add(p.generation);
          oldBusy += p.letters.replace(/[_.SGI]/g, '').length;
        }
      }
      return { generation: snap.generation, mpm: snap.mpm, fresh, ready, old, oldBusy, oldGens: [...oldGens].sort((a, b) => a - b).join(', ') };
    }),
  );
  if (!g) return null;
  const rolling = g.old > 0;
  return (
    <div className={`roll ${rolling ? 'rolling' : ''}`} role="status" aria-live="polite" aria-label="Generation roll">
      <div className="roll-head">
        <strong>Generation {g.generation}</strong> <span className="muted">({g.mpm})</span>
        {rolling ? <span className="badge warn">rolling</span> : <span className="badge ok">steady</span>}
      </div>
      <div className="roll-bar" aria-hidden="true">
        <span className="new" style={{ flexGrow: g.ready }} />
        <span className="starting" style={{ flexGrow: g.fresh - g.ready }} />
        <span className="old" style={{ flexGrow: g.old }} />
      </div>
      <p className="roll-text num">
        {g.ready}/{g.fresh} new children ready
        {rolling ? ` · ${g.old} old (generation ${g.oldGens}) finishing, ${g.oldBusy} slot(s) busy` : ' · no old children'}
      </p>
    </div>
  );
}
