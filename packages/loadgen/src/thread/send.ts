/**
 * One request through an undici dispatcher (a `Client` or a `Pool`), with a handler that only
 * counts body bytes: nothing is buffered, so the runner measures the server, not itself.
 *
 * The time limit is our own timer from the moment of dispatch (waiting for a free connection
 * included): undici's own headers/body timeouts tick about once a second, too coarse for a
 * limit of a few hundred milliseconds, and stay only as a backstop.
 */

import type { Dispatcher } from 'undici';
import type { ErrorKind } from '../result/types.js';
import { classifyError } from './classify.js';

export interface RequestPlan {
  path: string;
  /** Send `Connection: close` and close the socket after the answer: a new connection each time. */
  reset: boolean;
  timeoutMs: number;
}

const BACKSTOP_MS = 1_000;

export type SendOutcome = { status: number; bytes: number } | { error: ErrorKind };

class RequestTimeoutError extends Error {
  readonly code = 'UND_ERR_HEADERS_TIMEOUT';
}

export function send(dispatcher: Dispatcher, plan: RequestPlan, done: (outcome: SendOutcome) => void): void {
  let status = 0;
  let bytes = 0;
  let finished = false;
  let controller: Dispatcher.DispatchController | null = null;
  const timer = setTimeout(() => {
    finish({ error: 'timeout' });
    controller?.abort(new RequestTimeoutError(`no complete answer within ${plan.timeoutMs} ms`));
  }, plan.timeoutMs);
  const finish = (outcome: SendOutcome): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done(outcome);
  };
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(requestController) {
      controller = requestController;
      // Timed out while waiting for a connection: do not send it at all.
      if (finished) requestController.abort(new RequestTimeoutError(`no answer within ${plan.timeoutMs} ms`));
    },
    onRequestUpgrade() {},
    onResponseStart(_controller, statusCode) {
      status = statusCode;
    },
    onResponseData(_controller, chunk) {
      bytes += chunk.length;
    },
    onResponseEnd() {
      finish({ status, bytes });
    },
    onResponseError(_controller, error) {
      finish({ error: classifyError(error) });
    },
  };
  try {
    dispatcher.dispatch(
      {
        path: plan.path,
        method: 'GET',
        reset: plan.reset,
        headersTimeout: plan.timeoutMs + BACKSTOP_MS,
        bodyTimeout: plan.timeoutMs + BACKSTOP_MS,
      },
      handler,
    );
  } catch (error) {
    queueMicrotask(() => finish({ error: classifyError(error) }));
  }
}
