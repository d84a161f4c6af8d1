/**
 * Entry file of the load thread (given to `new Worker()` by `startLoadTest`): runs one session
 * and reports each second and the result to the caller's thread. All traffic lives here, so the
 * caller's event loop (the pool's primary, the control plane) is never the one sending.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { FromThread, RunRequest, ToThread } from '../messages.js';
import { startSession } from './session.js';

function post(message: FromThread): void {
  parentPort?.postMessage(message);
}

function main(): void {
  if (!parentPort) throw new Error('thread/main.js is a worker_threads entry: start it with startLoadTest()');
  const session = startSession(workerData as RunRequest, (second) => post({ type: 'progress', second }));
  parentPort.on('message', (message: ToThread) => {
    if (message.type === 'abort') session.abort();
  });
  session.done.then(
    (result) => {
      post({ type: 'done', result });
      parentPort?.close();
    },
    (error: unknown) => {
      const { code, message } = error as { code?: unknown; message?: unknown };
      post({ type: 'failed', error: { code: typeof code === 'string' ? code : 'FY_LOADTEST_FAILED', message: String(message ?? error) } });
      parentPort?.close();
    },
  );
}

main();
