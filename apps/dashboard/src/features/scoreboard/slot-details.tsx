/**
 * What one thread slot is doing: its state, the in-flight (or last) request, client, elapsed
 * time and counters. Subscribes to its own child only, so it re-renders at the stream's rate
 * while the rest of the page does not.
 */
import {
  elapsedMs,
  THREAD_CHILD_BYTES,
  THREAD_CHILD_COUNT,
  THREAD_CLIENT,
  THREAD_CONN_BYTES,
  THREAD_CONN_COUNT,
  THREAD_LAST_MS,
  THREAD_REQUEST,
  THREAD_SLOT_BYTES,
  THREAD_SLOT_COUNT,
  THREAD_STARTED,
  THREAD_VHOST,
} from '@forkyard/protocol';
import { useDashboard } from '../../lib/store.js';
import { slotState } from '../../lib/slot-states.js';
import { formatBytes, formatCount, formatMs } from '../../lib/format.js';

export interface SlotRef {
  slot: number;
  thread: number;
}

export function useSlotProcess(slot: number) {
  return useDashboard((s) => s.stream.snapshot?.processes.find((p) => p.slot === slot));
}

export function SlotDetails({ at, compact = false }: { at: SlotRef; compact?: boolean }) {
  const p = useSlotProcess(at.slot);
  const time = useDashboard((s) => s.stream.snapshot?.time ?? 0);
  if (!p) {
    return (
      <dl className={compact ? 'slot-details compact' : 'slot-details'}>
        <div><dt>Slot</dt><dd>{at.slot}.{at.thread}</dd></div>
        <div><dt>State</dt><dd><code>.</code> Open slot with no current process</dd></div>
      </dl>
    );
  }
  const letter = p.letters[at.thread] ?? '.';
  const cells = p.threads[at.thread];
  const state = slotState(letter);
  const inFlight = cells && cells[THREAD_STARTED] !== 0;
  return (
    <dl className={compact ? 'slot-details compact' : 'slot-details'}>
      <div><dt>Slot</dt><dd>{at.slot}.{at.thread} · pid {p.pid} · gen {p.generation}</dd></div>
      <div><dt>State</dt><dd><code className={`letter letter-${state.word.toLowerCase().replace(/\s/g, '-')}`}>{letter}</code> {state.legend}</dd></div>
      <div className="wide"><dt>{inFlight ? 'Request' : 'Last request'}</dt><dd className="mono ellipsis">{cells?.[THREAD_REQUEST] || '—'}</dd></div>
      <div><dt>Client</dt><dd className="mono">{cells?.[THREAD_CLIENT] || '—'}</dd></div>
      <div><dt>Host</dt><dd className="mono">{cells?.[THREAD_VHOST] || '—'}</dd></div>
      <div><dt>{inFlight ? 'Elapsed' : 'Took'}</dt><dd className="num">{cells ? (inFlight ? formatMs(elapsedMs({ time }, cells)) : cells[THREAD_LAST_MS] ? formatMs(cells[THREAD_LAST_MS]) : '—') : '—'}</dd></div>
      <div><dt>Requests conn / child / slot</dt><dd className="num">{cells ? `${formatCount(cells[THREAD_CONN_COUNT])} / ${formatCount(cells[THREAD_CHILD_COUNT])} / ${formatCount(cells[THREAD_SLOT_COUNT])}` : '—'}</dd></div>
      <div><dt>Bytes conn / child / slot</dt><dd className="num">{cells ? `${formatBytes(cells[THREAD_CONN_BYTES])} / ${formatBytes(cells[THREAD_CHILD_BYTES])} / ${formatBytes(cells[THREAD_SLOT_BYTES])}` : '—'}</dd></div>
    </dl>
  );
}
