/**
 * The closed vocabulary between the caller's thread and the load thread. Errors crossing the
 * boundary are plain `{ code, message }` and rebuilt as `LoadgenError` on the caller's side.
 */

import type { LoadTestResult, TimelineSecond } from './result/types.js';
import type { LoadTestSpec } from './spec/types.js';

/** Given to the load thread as `workerData`. */
export interface RunRequest {
  id: string;
  spec: LoadTestSpec;
  /** An origin already checked by `checkTarget`. */
  origin: string;
  label: string;
  meta: Record<string, string>;
}

export type ToThread = { type: 'abort' };

export type FromThread =
  | { type: 'progress'; second: TimelineSecond }
  | { type: 'done'; result: LoadTestResult }
  | { type: 'failed'; error: { code: string; message: string } };

/** One handler per message type: a forgotten type is a compile error. */
export type FromThreadHandlers = { [K in FromThread['type']]: (message: Extract<FromThread, { type: K }>) => void };
