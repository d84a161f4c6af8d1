/**
 * Always visible: live, connecting, or reconnecting (with the countdown and a "now" button),
 * and how old the data on screen is once it is stale. Re-renders once a second at most.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useDashboard } from '../../lib/store.js';
import { reconnectNow } from '../../lib/stream-connection.js';

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function ConnectionStatus() {
  const c = useDashboard(useShallow((s) => ({ ...s.connection, stale: s.stream.stale })));
  const now = useNow(1000);
  const lastFrameAt = useDashboard((s) => (s.lastFrameAt === null ? null : Math.floor(s.lastFrameAt / 1000)));
  const age = lastFrameAt === null ? null : Math.max(0, Math.round(now / 1000 - lastFrameAt));
  const silent = c.phase === 'live' && age !== null && age > 3;
  let text: string;
  let tone: 'ok' | 'warn' | 'bad';
  switch (c.phase) {
    case 'live':
      text = silent ? `Live, no data for ${age} s` : c.stale ? 'Live, resyncing' : 'Live';
      tone = silent || c.stale ? 'warn' : 'ok';
      break;
    case 'connecting':
      text = c.attempt > 0 ? `Connecting (attempt ${c.attempt + 1})` : 'Connecting';
      tone = 'warn';
      break;
    case 'reconnecting':
      text = `Disconnected, retrying in ${Math.max(0, Math.ceil(((c.retryAt ?? now) - now) / 1000))} s`;
      tone = 'bad';
      break;
    default:
      text = 'Signed out';
      tone = 'bad';
  }
  const stale = c.phase !== 'live' && age !== null;
  return (
    <div className={`conn conn-${tone}`} role="status" aria-label="Connection" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      <span>{text}</span>
      {stale && <span className="stale-note">· data stale, {age} s old</span>}
      {c.phase === 'reconnecting' && (
        <button type="button" className="btn ghost small" onClick={reconnectNow}>
          Retry now
        </button>
      )}
    </div>
  );
}
