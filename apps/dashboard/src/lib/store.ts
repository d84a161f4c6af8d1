/**
 * The dashboard's one store, fed from outside React (STYLE.md principle 10): the stream
 * client's binding (stream-binding.ts) and the REST calls call `dashboardStore.setState`;
 * components read narrow selectors through `useDashboard`, and the scoreboard canvas subscribes
 * transiently (`dashboardStore.subscribe`) so 10 Hz updates never re-render the React tree.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { INITIAL_STREAM_STATE, type Role, type StreamEvent, type StreamState } from '@forkyard/protocol';

export type LoadTestEvent = Extract<StreamEvent, { kind: 'loadtest' }>;
import { EMPTY_HISTORY, type History } from './history.js';
import type { LogEntry } from './event-log.js';

export type ConnectionPhase = 'signed-out' | 'connecting' | 'live' | 'reconnecting' | 'rejected';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Failed attempts since the last good connection. */
  attempt: number;
  /** Epoch ms of the next attempt while reconnecting. */
  retryAt: number | null;
  /** Why the last attempt failed or the connection closed. */
  message: string | null;
}

export interface Session {
  token: string | null;
  /** null until the token has been checked. */
  role: Role | null;
}

export interface DashboardState {
  /** The scoreboard as the stream client holds it (protocol StreamState: seq, snapshot, stale). */
  stream: StreamState;
  history: History;
  log: readonly LogEntry[];
  nextLogId: number;
  /** Epoch ms (browser clock) the scoreboard last changed. */
  lastFrameAt: number | null;
  connection: ConnectionState;
  session: Session;
  /** The latest `loadtest` event (its phase says whether a test is running). */
  loadTest: LoadTestEvent | null;
}

export const INITIAL_DASHBOARD_STATE: DashboardState = {
  stream: INITIAL_STREAM_STATE,
  history: EMPTY_HISTORY,
  log: [],
  nextLogId: 1,
  lastFrameAt: null,
  connection: { phase: 'signed-out', attempt: 0, retryAt: null, message: null },
  session: { token: null, role: null },
  loadTest: null,
};

export const dashboardStore = createStore<DashboardState>()(() => INITIAL_DASHBOARD_STATE);

export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  return useStore(dashboardStore, selector);
}
