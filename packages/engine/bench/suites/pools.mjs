/**
 * The contenders, in one place so every benchmark uses the same shapes. Directives are spelled
 * as in httpd; MaxRequestWorkers caps the threaded pools at two children so they compare with
 * a two-worker cluster instead of growing to ServerLimit under load.
 */

import { fileURLToPath } from 'node:url';

const forkyard = (mpm, directives, extra = {}) => ['forkyard', [JSON.stringify({ mpm, directives, ...extra })]];

export const nodeHttp = { key: 'node-http', label: 'node:http (1 process)', server: ['node-http'] };
export const cluster2 = { key: 'anchor', label: 'cluster (2 workers)', server: ['cluster', [2]] };
/**
 * Reference, no target: cluster with 2 workers, each serving from one worker_thread fed the
 * connection's descriptor, as an event child feeds its threads, but with no pool around it.
 */
export const threadCluster2 = { key: 'thread-cluster', label: 'cluster (2 workers), a thread each', server: ['thread-cluster', [2]] };
/** Reference, no target: cluster with `n` workers (as many event loops or processes as a pool shape has). */
export const clusterN = (n) => ({ key: `cluster-${n}`, label: `cluster (${n} workers)`, server: ['cluster', [n]] });
/** Reference, no target: what one process per connection costs before any pool logic. */
export const cluster64 = clusterN(64);
/** Reference, no target: as many event loops as a pool of 2 children × 2 threads runs. */
export const cluster4 = clusterN(4);
/** Reference, no target: cluster with as many workers as connections, one connection per event loop, as a worker pool of n threads holds one per thread. */
export const clusterServingOneEach = (n) => ({ ...clusterN(n), key: `cluster-${n}-${n}-connections`, shape: `${n} connections`, load: { connections: n } });

const threaded2x2 = { StartServers: 2, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 };
/**
 * event holds kept-alive connections without a thread, up to T + idle × AsyncRequestWorkerFactor
 * per child (httpd's default factor 2 admits 6 with two threads): 16 lets each child hold the
 * 32 connections the load gives it, as an operator would set it for this load.
 */
const event2x2Shape = { ...threaded2x2, AsyncRequestWorkerFactor: 16 };

export const event2x2 = { key: 'event', label: 'Forkyard event', server: forkyard('event', event2x2Shape), shape: '2 children × 2 threads, AsyncRequestWorkerFactor 16' };
/**
 * One thread per child: as many event loops serving requests as the two-worker cluster has.
 * AsyncRequestWorkerFactor 32 lets each child hold its 32 connections.
 */
export const event2x1 = {
  key: 'event-2x1',
  label: 'Forkyard event',
  server: forkyard('event', { StartServers: 2, ThreadsPerChild: 1, MinSpareThreads: 1, MaxSpareThreads: 4, MaxRequestWorkers: 2, AsyncRequestWorkerFactor: 32 }),
  shape: '2 children × 1 thread, AsyncRequestWorkerFactor 32',
};
export const worker2x2 = { key: 'worker', label: 'Forkyard worker', server: forkyard('worker', threaded2x2), shape: '2 children × 2 threads' };

/**
 * The same shapes with MaxKeepAliveRequests 0 (no limit on requests per connection), so their
 * connections behave as node:http's and cluster's do: a like-for-like comparison of the pools'
 * cost per request, without httpd's reconnect every 101 requests.
 */
export const unlimitedKeepAlive = (contender) => {
  const [name, [json]] = contender.server;
  const config = JSON.parse(json);
  config.directives = { ...config.directives, MaxKeepAliveRequests: 0 };
  return { ...contender, key: `${contender.key}-unlimited`, server: [name, [JSON.stringify(config)]], shape: `${contender.shape}, MaxKeepAliveRequests 0` };
};

/** worker with a thread for every one of `n` connections (it binds a connection to a thread). */
export function workerPerConnection(n) {
  const t = Math.ceil(n / 2);
  return {
    key: 'worker-per-connection',
    label: 'Forkyard worker',
    server: forkyard('worker', { StartServers: 2, ServerLimit: 2, ThreadsPerChild: t, MinSpareThreads: 1, MaxSpareThreads: n, MaxRequestWorkers: n }),
    shape: `2 children × ${t} threads`,
  };
}

/** The same event pool with its control plane in the primary's process, as `forkyard start` runs it. */
export const event2x2Control = { key: 'event-control', label: 'Forkyard event + control plane', server: forkyard('event', event2x2Shape, { control: true }), shape: event2x2.shape };

/** What a suite whose pool runs its control plane needs built (checked before anything starts). */
export const CONTROL_PLANE_BUILT = {
  path: fileURLToPath(new URL('../../../../apps/control/dist/index.js', import.meta.url)),
  hint: 'build the control plane too: pnpm build',
};

/** Prefork holds one connection per child: as many children as the load has connections. */
export function preforkN(n) {
  return {
    key: 'prefork',
    label: 'Forkyard prefork',
    server: forkyard('prefork', { StartServers: n, MinSpareServers: Math.min(8, n), MaxSpareServers: n, MaxRequestWorkers: n }),
    shape: `${n} children`,
  };
}

export function worker1xT(threads, key) {
  return {
    key,
    label: `worker 1 × ${threads} thread${threads > 1 ? 's' : ''}`,
    server: forkyard('worker', { StartServers: 1, ThreadsPerChild: threads, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: threads }),
    shape: `1 child × ${threads} thread${threads > 1 ? 's' : ''}`,
  };
}
