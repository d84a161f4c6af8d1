/**
 * `startLoadTest`: validates, checks the target, and runs the test in its own worker thread
 * (`thread/main.js`), so the caller's event loop only receives one message a second.
 *
 *   caller thread                         load thread (thread/main.js)
 *   startLoadTest ──workerData: RunRequest──▶ startSession ──▶ undici ──▶ target
 *   onProgress   ◀──── progress (1/s) ──────
 *   done         ◀──── done | failed ───────
 *   abort()      ────── abort ─────────────▶ every socket closed; terminated if not done in time
 */

import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { LOADGEN_ERROR_CODES, LoadgenError } from './errors.js';
import type { FromThread, FromThreadHandlers, RunRequest, ToThread } from './messages.js';
import type { LoadTestResult, TimelineSecond } from './result/types.js';
import { validateSpec } from './spec/validate.js';
import { checkTarget } from './target.js';

const THREAD_MAIN = new URL('./thread/main.js', import.meta.url);
/** An aborted run must have closed its sockets within a second: then its thread is terminated. */
const ABORT_GRACE_MS = 1_000;

export interface StartOptions {
  /** Base URL of the server under test, e.g. the pool's own listener `http://127.0.0.1:8080`. */
  target: string;
  /** Non-loopback hosts or origins that may be targeted (see `checkTarget`). */
  allowList?: readonly string[];
  /** Called once a second with that second of the timeline. */
  onProgress?: (second: TimelineSecond) => void;
  id?: string;
  /** Stored with the result, e.g. the MPM under test. */
  label?: string;
  meta?: Record<string, string>;
}

export interface LoadTestHandle {
  id: string;
  /** Resolves with the result, `outcome: 'aborted'` after `abort()`; rejects with a `LoadgenError`. */
  done: Promise<LoadTestResult>;
  /** Stops all traffic: every socket is closed within a second. */
  abort(): void;
}

/**
 * Starts a load test in a worker thread.
 * @param spec any input; validated (and defaults filled in) first
 * @throws LoadgenError FY_VALIDATION with every field error, or a refused target
 */
export function startLoadTest(spec: unknown, options: StartOptions): LoadTestHandle {
  const validation = validateSpec(spec);
  if (!validation.ok) {
    const n = validation.errors.length;
    throw new LoadgenError(LOADGEN_ERROR_CODES.validation, `the load-test spec has ${n} invalid field${n === 1 ? '' : 's'}`, validation.errors);
  }
  const target = checkTarget(options.target, options.allowList ?? []);
  if (!target.ok) throw new LoadgenError(target.code, target.message);

  const id = options.id ?? randomUUID();
  const request: RunRequest = { id, spec: validation.spec, origin: target.origin, label: options.label ?? '', meta: options.meta ?? {} };
  const worker = new Worker(THREAD_MAIN, { workerData: request });

  let settled = false;
  let abortTimer: NodeJS.Timeout | null = null;
  let resolveDone: (result: LoadTestResult) => void = () => {};
  let rejectDone: (error: LoadgenError) => void = () => {};
  const done = new Promise<LoadTestResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const finish = (outcome: { result: LoadTestResult } | { error: LoadgenError }): void => {
    if (settled) return;
    settled = true;
    if (abortTimer) clearTimeout(abortTimer);
    void worker.terminate();
    if ('result' in outcome) resolveDone(outcome.result);
    else rejectDone(outcome.error);
  };

  const handlers: FromThreadHandlers = {
    progress: ({ second }) => {
      if (!settled) options.onProgress?.(second);
    },
    done: ({ result }) => finish({ result }),
    failed: ({ error }) => finish({ error: new LoadgenError(error.code, error.message) }),
  };
  worker.on('message', (message: FromThread) => {
    (handlers[message.type] as (m: FromThread) => void)(message);
  });
  worker.on('error', (error) => finish({ error: new LoadgenError(LOADGEN_ERROR_CODES.failed, `the load thread failed: ${error.message}`) }));
  worker.on('exit', (code) => finish({ error: new LoadgenError(LOADGEN_ERROR_CODES.failed, `the load thread exited (code ${code}) without a result`) }));

  return {
    id,
    done,
    abort() {
      if (settled || abortTimer) return;
      worker.postMessage({ type: 'abort' } satisfies ToThread);
      abortTimer = setTimeout(
        () => finish({ error: new LoadgenError(LOADGEN_ERROR_CODES.abortTimeout, `the aborted load test did not stop within ${ABORT_GRACE_MS} ms and was terminated`) }),
        ABORT_GRACE_MS,
      );
    },
  };
}
