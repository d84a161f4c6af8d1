/**
 * Feeds the store from @forkyard/client's StreamClient (which keeps the scoreboard with the
 * protocol's snapshot/delta state machine and reconnects with backoff): its state becomes the
 * store's scoreboard, connection phase and chart history; its events become the event log.
 * Framework-free and separate from the socket's setup, so the tests drive it with a fake
 * WebSocket (test/stream-binding.test.ts).
 */
import type { StreamClient, StreamClientState } from '@forkyard/client';
import type { StreamEvent } from '@forkyard/protocol';
import type { StoreApi } from 'zustand/vanilla';
import { sampleHistory } from './history.js';
import { appendLog, describeEvent } from './event-log.js';
import type { ConnectionState, DashboardState } from './store.js';

function connectionOf(s: StreamClientState, prev: ConnectionState, now: number): ConnectionState {
  switch (s.status) {
    case 'open':
      return { phase: 'live', attempt: 0, retryAt: null, message: null };
    case 'connecting':
      return { ...prev, phase: 'connecting', retryAt: null };
    case 'waiting':
      return { phase: 'reconnecting', attempt: Math.max(1, s.attempts), retryAt: s.retryInMs === null ? null : now + s.retryInMs, message: s.lastError };
    default:
      return { ...prev, phase: prev.phase === 'rejected' ? 'rejected' : 'signed-out', retryAt: null };
  }
}

/** The store's next state for a new client state (pure). */
export function withClientState(state: DashboardState, s: StreamClientState, now: number): DashboardState {
  let next = state;
  const connection = connectionOf(s, state.connection, now);
  if (connection.phase !== state.connection.phase || connection.retryAt !== state.connection.retryAt || connection.message !== state.connection.message) {
    const wasLive = state.connection.phase === 'live';
    next = { ...next, connection };
    if (wasLive && connection.phase !== 'live') next = note(next, now, 'warn', `stream lost: ${s.lastError ?? 'closed'}`);
    if (!wasLive && connection.phase === 'live' && state.stream.snapshot) next = note(next, now, 'info', 'stream reconnected');
  }
  // A fresh client (Retry now) starts empty: keep the last picture, marked stale, until it has one.
  const empty = s.stream.snapshot === null && state.stream.snapshot !== null;
  if (s.stream !== state.stream && !empty) {
    const snapshotChanged = s.stream.snapshot !== state.stream.snapshot;
    next = {
      ...next,
      stream: s.stream,
      history: s.stream.snapshot && snapshotChanged ? sampleHistory(next.history, s.stream.snapshot) : next.history,
      lastFrameAt: snapshotChanged ? now : next.lastFrameAt,
    };
  }
  return next;
}

export function withEvent(state: DashboardState, event: StreamEvent): DashboardState {
  if (event.kind === 'loadtest') {
    // A running test reports every second: its panel shows that; the log keeps the milestones.
    const next = { ...state, loadTest: event };
    if (event.phase === 'progress') return next;
    state = next;
  }
  return { ...state, log: appendLog(state.log, { id: state.nextLogId, ...describeEvent(event) }), nextLogId: state.nextLogId + 1 };
}

function note(state: DashboardState, at: number, level: 'info' | 'warn', text: string): DashboardState {
  return { ...state, log: appendLog(state.log, { id: state.nextLogId, at, kind: 'connection', level, marker: false, text }), nextLogId: state.nextLogId + 1 };
}

/** Keeps `store` in step with `client` until the returned function is called. */
export function bindStreamToStore(client: StreamClient, store: StoreApi<DashboardState>, now: () => number = Date.now): () => void {
  const offState = client.subscribe((s) => store.setState(withClientState(store.getState(), s, now()), true));
  const offEvent = client.onEvent((e) => store.setState(withEvent(store.getState(), e), true));
  const offError = client.onError((e) => store.setState(note(store.getState(), now(), 'warn', `stream: ${e.code}: ${e.message}`), true));
  store.setState(withClientState(store.getState(), client.getState(), now()), true);
  return () => {
    offState();
    offEvent();
    offError();
  };
}
