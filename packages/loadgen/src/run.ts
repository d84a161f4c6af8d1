/**
 * `runScenario`: the one call a command or an API route needs — validate, check the target,
 * run in a worker thread, and resolve with the stored-ready result. `signal` aborts it.
 */

import type { LoadTestResult } from './result/types.js';
import { startLoadTest, type StartOptions } from './start.js';

export interface RunOptions extends StartOptions {
  signal?: AbortSignal;
}

/** @throws LoadgenError (bad spec, refused target, failed thread) */
export async function runScenario(spec: unknown, options: RunOptions): Promise<LoadTestResult> {
  const { signal, ...start } = options;
  const handle = startLoadTest(spec, start);
  if (!signal) return handle.done;
  const onAbort = (): void => handle.abort();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await handle.done;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
