/** One line over the grid: MPM, generation, capacity, and httpd's counts. */
import { useShallow } from 'zustand/react/shallow';
import { useDashboard } from '../../lib/store.js';

export function ScoreboardSummary() {
  const s = useDashboard(
    useShallow((st) => {
      const snap = st.stream.snapshot;
      if (!snap) return null;
      return {
        mpm: snap.mpm,
        generation: snap.generation,
        serverLimit: snap.limits.serverLimit,
        threadsPerChild: snap.limits.threadsPerChild,
        maxRequestWorkers: snap.limits.maxRequestWorkers,
        busy: snap.counts.busy,
        idle: snap.counts.idle,
        graceful: snap.counts.graceful,
        processes: snap.counts.processes,
        queue: snap.acceptQueue,
        refused: snap.acceptRefused,
      };
    }),
  );
  if (!s) return <p className="sb-summary">—</p>;
  const slots = s.serverLimit * s.threadsPerChild;
  return (
    <p className="sb-summary" aria-label="Scoreboard summary">
      <span>{s.mpm} · generation {s.generation}</span>
      <span data-testid="slot-capacity">{s.serverLimit} child slots × {s.threadsPerChild} threads = {slots} slots</span>
      <span>MaxRequestWorkers {s.maxRequestWorkers}</span>
      <span className="num">busy {s.busy}</span>
      <span className="num">idle {s.idle}</span>
      <span className="num">graceful {s.graceful}</span>
      <span className="num">children {s.processes}</span>
      <span className="num">queue {s.queue}</span>
      <span
        className={s.refused > 0 ? 'num sb-refused' : 'num'}
        title="Connections closed on arrival because ListenBacklog connections were already waiting (since the pool started)"
      >
        refused {s.refused}
      </span>
    </p>
  );
}
