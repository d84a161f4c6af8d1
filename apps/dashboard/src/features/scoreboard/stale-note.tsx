/** Said over the grid while the data on screen is not live: since when, and why. */
import { useShallow } from 'zustand/react/shallow';
import { useDashboard } from '../../lib/store.js';
import { formatClock } from '../../lib/format.js';

export function StaleNote() {
  const s = useDashboard(useShallow((st) => ({ phase: st.connection.phase, resyncing: st.stream.stale, at: st.lastFrameAt, why: st.connection.message })));
  if (s.phase === 'live' && !s.resyncing) return null;
  if (s.at === null) return null;
  return (
    <p className="stale-banner" role="status" aria-label="Stale data">
      Stale: last update {formatClock(s.at)}
      {s.phase !== 'live' && s.why ? ` — ${s.why}` : s.resyncing ? ' — resyncing' : ''}
    </p>
  );
}
