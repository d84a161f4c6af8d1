/**
 * The closed vocabulary between the primary and its children (fork IPC channel), in the style
 * of Node cluster's `act` table: every message has an `act`, request-replies carry a `seq`.
 * Handlers are tables keyed by `act`, so a forgotten case is a compile error.
 */

import type { SlotRecord } from '../scoreboard/slot-buffer.js';
import type { MpmName } from '../scoreboard/types.js';

/** The directives a child needs; sent at fork and again when they change in place. */
export interface ChildDirectives {
  KeepAlive: boolean;
  /** seconds */
  KeepAliveTimeout: number;
  MaxKeepAliveRequests: number;
  /** seconds */
  Timeout: number;
  MaxConnectionsPerChild: number;
  AsyncRequestWorkerFactor: number;
  /** bytes; 0: unlimited */
  LimitRequestBody: number;
  /** seconds; 0: off */
  RequestTimeLimit: number;
  ExtendedStatus: boolean;
}

/** Given to a child in its environment (FORKYARD_CHILD), so it needs no first message. */
export interface ChildInit {
  slot: number;
  generation: number;
  mpm: MpmName;
  threadsPerChild: number;
  /** Module path of the application, or null for the built-in demo app. */
  app: string | null;
  directives: ChildDirectives;
  /** Milliseconds between slot reports to the primary. */
  reportInterval: number;
  /** The port of the pool's listener, which every connection arrives on (the vhost's port). */
  localPort: number;
}

/** Async connection counters of one child (process_score). */
export interface ProcessCounters {
  connections: number;
  writeCompletion: number;
  keepAlive: number;
  lingeringClose: number;
  notAccepting: boolean;
}

/** What a standby prepares before it is taken: its MPM's kind and how many threads to start. */
export interface StandbyKind {
  mpm: MpmName;
  threads: number;
}

export type PrimaryToChild =
  /** A standby becomes this child. */
  | { act: 'init'; init: ChildInit }
  | { act: 'conn'; id: number }
  | { act: 'stop'; graceful: boolean }
  | { act: 'directives'; directives: ChildDirectives }
  | { act: 'status-reply'; seq: number; status: number; contentType: string; body: string; refresh?: number };

export type ChildToPrimary =
  /** The child takes messages now (the primary holds those it sends before). A standby says it once booted. */
  | { act: 'listening' }
  | { act: 'ready' }
  /** Connections that ended: a threaded child under load reports many at once. */
  | { act: 'closed'; ids: number[] }
  | {
      act: 'report';
      slots: Array<[thread: number, record: SlotRecord]>;
      counters: ProcessCounters;
      usage?: { rss: number; cpuUser: number; cpuSystem: number };
    }
  | { act: 'accepting'; accepting: boolean }
  | { act: 'status-request'; seq: number; query: string; host: string; localAddress: string }
  | { act: 'fatal'; code: string; message: string }
  | ({ act: 'forensic' } & Forensic);

/** What a stuck request was doing when RequestTimeLimit stopped it. */
export interface Forensic {
  kind: 'RequestTimeLimit';
  thread: number;
  request: string;
  client: string;
  vhost: string;
  elapsedMs: number;
  /** The handler's JavaScript stack at the moment it was stopped. */
  stack: string;
  /** Whether the client got a 503 (nothing of the response had been sent) or a closed connection. */
  answered503: boolean;
}

export type ActOf<U extends { act: string }, A extends U['act']> = Extract<U, { act: A }>;

/** A table of handlers, one per act: adding an act without a handler fails to compile. */
export type ActTable<U extends { act: string }, Ctx = void> = {
  [A in U['act']]: (msg: ActOf<U, A>, ctx: Ctx) => void;
};

export function dispatchAct<U extends { act: string }, Ctx>(table: ActTable<U, Ctx>, msg: U, ctx: Ctx): void {
  const handler = table[msg.act as U['act']] as ((m: U, c: Ctx) => void) | undefined;
  if (handler) handler(msg, ctx);
}

/** Exit codes a child uses (httpd: APEXIT_CHILDSICK 7, APEXIT_CHILDFATAL 15). */
export const EXIT_CHILDSICK = 7;
export const EXIT_CHILDFATAL = 15;
/** A prefork child stopped by RequestTimeLimit. */
export const EXIT_REQUEST_TIME_LIMIT = 70;
