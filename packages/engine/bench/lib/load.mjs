/**
 * The runner's handle on the load generator process (load/main.mjs): one process for the
 * whole run, given one autocannon job at a time.
 */

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../load/main.mjs', import.meta.url));
/** Slack on top of a job's own duration before it counts as hung. */
const JOB_SLACK_MS = 30_000;

export async function startLoad() {
  const proc = fork(MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const version = await new Promise((resolve, reject) => {
    proc.once('message', (msg) => resolve(msg.version));
    proc.once('exit', (code) => reject(new Error(`the load generator exited at start (code ${code}); is autocannon installed (pnpm install)?`)));
  });
  let seq = 0;
  return {
    version,
    pid: proc.pid,
    /**
     * Runs autocannon against http://127.0.0.1:port`path` and resolves with its summary.
     * `requests` (autocannon's own option, e.g. `[{ path: '/sleep?ms=20' }, { path: '/' }]`)
     * makes every connection cycle through those requests instead.
     */
    run({ port, path = '/', connections, duration, headers = {}, requests }) {
      const id = ++seq;
      const options = { url: `http://127.0.0.1:${port}${path}`, connections, duration, headers, ...(requests ? { requests } : {}) };
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`autocannon did not finish within ${duration + JOB_SLACK_MS / 1000} s`)), duration * 1000 + JOB_SLACK_MS);
        const onMessage = (msg) => {
          if (msg?.t === 'result' && msg.seq === id) finish(msg.error ? new Error(msg.error) : null, msg.result);
        };
        const onExit = (code) => finish(new Error(`the load generator exited (code ${code})`));
        const finish = (err, result) => {
          clearTimeout(timer);
          proc.off('message', onMessage);
          proc.off('exit', onExit);
          if (err) reject(err);
          else resolve(result);
        };
        proc.on('message', onMessage);
        proc.once('exit', onExit);
        proc.send({ t: 'run', seq: id, options });
      });
    },
    async close() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      if (proc.connected) proc.send({ t: 'exit' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
