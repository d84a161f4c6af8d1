/**
 * The contenders, in one place so every benchmark uses the same shapes. Directives are spelled
 * as in httpd; MaxRequestWorkers caps the threaded pools at two children so they compare with
 * a two-worker cluster instead of growing to ServerLimit under load.
 */

const forkyard = (mpm, directives) => ['forkyard', [JSON.stringify({ mpm, directives })]];

export const nodeHttp = { key: 'node-http', label: 'node:http (1 process)', server: ['node-http'] };
export const cluster2 = { key: 'anchor', label: 'cluster (2 workers)', server: ['cluster', [2]] };
/** Reference, no target: what one process per connection costs before any pool logic. */
export const cluster64 = { key: 'cluster-64', label: 'cluster (64 workers)', server: ['cluster', [64]] };

const threaded2x2 = { StartServers: 2, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, MaxRequestWorkers: 4 };

export const event2x2 = { key: 'event', label: 'Forkyard event', server: forkyard('event', threaded2x2), shape: '2 children × 2 threads' };
export const worker2x2 = { key: 'worker', label: 'Forkyard worker', server: forkyard('worker', threaded2x2), shape: '2 children × 2 threads' };

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
