/**
 * The server side of the bench runner's channel, shared by every contender's entry file:
 * announce the port once listening, and stop on request, on Ctrl-C, or when the runner goes.
 */

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const wallClock = () => performance.timeOrigin + performance.now();

/** The same handler every contender serves: the engine's built demo app. */
export async function loadDemoApp() {
  const url = new URL('../../dist/demo-app/index.js', import.meta.url);
  try {
    return (await import(url.href)).default;
  } catch (err) {
    throw new Error(`cannot load ${url.pathname}: build the engine first (pnpm build)`, { cause: err });
  }
}

export function announce(fields) {
  process.send?.({ t: 'listening', pid: process.pid, ...fields });
}

/** Runs `stop` once, whatever asks first, then exits; a stop that hangs is cut short. */
export function onStop(stop) {
  let stopping = false;
  const go = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    Promise.resolve()
      .then(stop)
      .catch((err) => process.stderr.write(`bench server ${process.pid}: stop failed: ${err.stack ?? err}\n`))
      .finally(() => process.exit(0));
  };
  process.on('message', (msg) => {
    if (msg?.t === 'stop') go();
  });
  process.on('disconnect', go);
  process.on('SIGINT', go);
  process.on('SIGTERM', go);
  return () => stopping;
}

/** A cluster primary's stop: every worker killed, resolved once all have exited. */
export function stopWorkers(cluster) {
  return Promise.all(Object.values(cluster.workers ?? {}).map((w) => new Promise((resolve) => {
    if (w.isDead()) return resolve();
    w.once('exit', resolve);
    w.kill();
  })));
}

export function fail(err) {
  const cause = err?.cause ? `\ncaused by: ${err.cause.stack ?? err.cause}` : '';
  process.send?.({ t: 'error', message: `${err?.stack ?? err}${cause}` }, undefined, undefined, () => process.exit(1));
  setTimeout(() => process.exit(1), 1000).unref();
}
