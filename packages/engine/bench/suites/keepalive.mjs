/** 1. Keep-alive hello: the pools' overhead per request when the handler costs nothing. */

import { compareThroughput } from '../lib/compare.mjs';
import { cluster2, cluster64, event2x2, nodeHttp, preforkN, unlimitedKeepAlive, worker2x2, workerPerConnection } from './pools.mjs';

const CONNECTIONS = 64;

export default {
  id: 'keepalive',
  title: 'Keep-alive hello',
  async run(ctx) {
    // The rows with httpd's defaults have no target: the quick run leaves them out.
    const httpdDefaults = ctx.plan.name === 'quick' ? [] : [event2x2, worker2x2];
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [
        nodeHttp,
        cluster2,
        cluster64,
        unlimitedKeepAlive(event2x2),
        unlimitedKeepAlive(worker2x2),
        ...httpdDefaults,
        unlimitedKeepAlive(workerPerConnection(CONNECTIONS)),
        unlimitedKeepAlive(preforkN(CONNECTIONS)),
      ],
      anchor: 'anchor',
      load: { path: '/', connections: CONNECTIONS },
    });
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` (a 20-byte body) over ${CONNECTIONS} keep-alive connections. node:http and cluster use Node's defaults ` +
        '(no limit on requests per connection), and so do the Forkyard pools (MaxKeepAliveRequests 0) in the rows with targets. event and worker 2 × 2 also run ' +
        '(in the full run) with httpd\'s ' +
        'defaults (MaxKeepAliveRequests 100, KeepAliveTimeout 5), where clients reconnect every 101 requests and each ' +
        'reconnect is a fresh hand-off by the primary. ' +
        'event parks kept-alive connections on their threads between requests, so two threads per child serve all 32. ' +
        'worker serves one connection per thread: with 4 threads the other 60 connections wait in the primary\'s accept queue ' +
        '(throughput is what counts here, not their latency), and with a thread for every connection (2 × 32) each thread is ' +
        'its own V8 isolate with its own heap and JIT warm-up. prefork needs one child per connection, 64 processes on this ' +
        'machine\'s cores; cluster with 64 workers is there, without a target, to show what 64 Node processes cost by themselves.',
      anchorLabel: cluster2.label,
      rows,
      targets: [
        { key: 'event-unlimited', value: 1.0 },
        { key: 'worker-unlimited', value: 1.0 },
        { key: 'worker-per-connection-unlimited', value: 1.0 },
        { key: 'prefork-unlimited', value: 0.8 },
      ],
      notes: perProcessNotes(rows),
    };
  },
};

/** What the one-process-per-connection shapes reach against the same number of plain Node processes. */
function perProcessNotes(rows) {
  const by = (key) => rows.find((r) => r.key === key);
  const prefork = by('prefork-unlimited');
  const c64 = by('cluster-64');
  if (!prefork || !c64 || !(c64.median > 0)) return [];
  return [
    `Prefork against cluster with as many workers (${CONNECTIONS} processes each): ${(prefork.median / c64.median).toFixed(2)}×. ` +
      `${CONNECTIONS} Node processes on this machine's cores reach ${c64.ratio.toFixed(2)}× of two by themselves, so prefork's ` +
      '0.8× is out of reach here whatever the pool does; the figure above is the cost of the pool on top of that.',
  ];
}

