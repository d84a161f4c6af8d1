/**
 * The one shape every traffic driver has, so a session can run, ramp and stop any of them.
 *
 *   session ──setLoad/start/stopSending──▶ driver ──dispatch──▶ undici Client/Pool ──▶ target
 *      ▲                                     │
 *      └──────── closeSecond ◀── Recorder ◀──┘ answered / failed
 */

export interface Driver {
  /** The load asked for now: connections (closed loop) or requests per second (open loop). */
  readonly load: number;
  setLoad(load: number): void;
  /** Starts sending; `t0` is the run's time origin (performance.now()). */
  start(t0: number): void;
  /** Sends nothing new; what is in flight may still be answered. */
  stopSending(): void;
  /** Requests sent (or due, open loop) and not yet answered. */
  inFlight(): number;
  /** TCP connections open now. */
  connections(): number;
  /** Closes every socket at once; what is in flight is abandoned. */
  destroy(): Promise<void>;
}

/** What every runner-made undici dispatcher is given (the precise limit is `send`'s own timer). */
export function dispatcherOptions(timeoutMs: number): { connectTimeout: number } {
  return { connectTimeout: timeoutMs };
}
