/** 1. Keep-alive hello: the pools' overhead per request when the handler costs nothing. */

import { againstReference, compareThroughput } from '../lib/compare.mjs';
import { cluster2, cluster4, clusterServingOneEach, cluster64, event2x1, event2x2, nodeHttp, preforkN, threadCluster2, unlimitedKeepAlive, worker2x2, workerPerConnection } from './pools.mjs';

const CONNECTIONS = 64;

export default {
  id: 'keepalive',
  title: 'Keep-alive hello',
  async run(ctx) {
    // Rows without a target (httpd's defaults, the references) are left out of the quick run.
    const full = ctx.plan.name !== 'quick';
    const httpdDefaults = full ? [event2x2, worker2x2] : [];
    const load = { path: '/', connections: CONNECTIONS };
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [
        ...(full ? [nodeHttp] : []),
        cluster2,
        ...(full ? [threadCluster2, cluster4, clusterServingOneEach(4)] : []),
        unlimitedKeepAlive(event2x1),
        unlimitedKeepAlive(event2x2),
        unlimitedKeepAlive(worker2x2),
        ...httpdDefaults,
      ],
      anchor: 'anchor',
      load,
    });
    // The shapes of 64 processes or threads run in a comparison of their own, with the anchor
    // measured again beside them: idle between their runs, their 190-odd processes and threads
    // still wake (about 150 ms of CPU a second between them), which the pools above would
    // otherwise be measured against.
    const manyAnchor = { ...cluster2, key: 'anchor-64' };
    const many = await compareThroughput(ctx, {
      title: `${this.title}, ${CONNECTIONS} event loops`,
      contenders: [manyAnchor, ...(full ? [cluster64] : []), unlimitedKeepAlive(workerPerConnection(CONNECTIONS)), unlimitedKeepAlive(preforkN(CONNECTIONS))],
      anchor: manyAnchor.key,
      load,
    });
    rows.push({ separator: `A comparison of its own: ${CONNECTIONS} event loops, against ${cluster2.label} measured beside them` }, ...many);
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` (a 20-byte body) over ${CONNECTIONS} keep-alive connections. node:http and cluster use Node's defaults ` +
        '(no limit on requests per connection), and so do the Forkyard pools (MaxKeepAliveRequests 0) in the rows with targets. event and worker 2 × 2 also run ' +
        '(in the full run) with httpd\'s ' +
        'defaults (MaxKeepAliveRequests 100, KeepAliveTimeout 5), where clients reconnect every 101 requests and each ' +
        'reconnect is a fresh hand-off by the primary. ' +
        'event parks kept-alive connections on their threads between requests, so one or two threads per child serve all 32: ' +
        'with one thread per child, as many event loops answer requests as the cluster has workers; with two, twice as many ' +
        'share the same cores. worker serves one connection per thread: with 4 threads the other 60 connections wait in the ' +
        'primary\'s accept queue (throughput is what counts here, not their latency), and with a thread for every connection ' +
        '(2 × 32) each thread is its own V8 isolate with its own heap and JIT warm-up. prefork needs one child per connection, ' +
        '64 processes on this machine\'s cores. Those two, and the cluster of 64 workers beside them, run in a comparison of their own ' +
        'with the anchor measured again (the last rows): idle between their runs, their processes and threads still wake, and the ' +
        'pools of a few event loops are not measured next to them. The rows without a target are references, run in the full run only: ' +
        'cluster whose 2 workers each serve from one worker_thread, handed every connection\'s descriptor, shows what Node\'s threads and that hand-over cost without a pool around them (event 2 × 1 is that shape); ' +
        'cluster with 4 and with 64 workers shows what that many Node event loops cost by themselves, and cluster with 4 workers answering 4 connections, one each, shows what serving one connection per event loop costs, as worker 2 × 2 does.',
      anchorLabel: cluster2.label,
      rows,
      targets: [
        { key: 'event-2x1-unlimited', value: 1.0 },
        { key: 'event-unlimited', value: 1.0 },
        { key: 'worker-unlimited', value: 1.0 },
        { key: 'worker-per-connection-unlimited', value: 1.0 },
        { key: 'prefork-unlimited', value: 0.8 },
      ],
      notes: perProcessNotes(rows),
    };
  },
};

/**
 * Each shape against the plain Node setup with the same number of event loops, or serving the
 * same number of connections at a time: what the pool costs on top of what the shape costs.
 */
function perProcessNotes(rows) {
  return [
    ...againstReference(rows, 'event-2x1-unlimited', 'thread-cluster', (vs, ref) =>
      `event 2 × 1 against cluster whose 2 workers serve from a thread each (the same threads and descriptor hand-over, no pool): ` +
      `${vs.toFixed(2)}×; that reference reaches ${ref.toFixed(2)}× of cluster by itself. The difference is the pool's own work on ` +
      'every request: the thread\'s scoreboard slot (W, then ready, with the request line, times and counts), httpd\'s Timeout ' +
      'and KeepAliveTimeout timers on the connection, and parking it on its thread between requests.'),
    ...againstReference(rows, 'event-unlimited', 'cluster-4', (vs, ref) =>
      `event 2 × 2 against cluster with 4 workers (4 event loops each): ${vs.toFixed(2)}×. Four Node event loops on this machine reach ` +
      `${ref.toFixed(2)}× of two by themselves.`),
    ...againstReference(rows, 'worker-unlimited', 'cluster-4-4-connections', (vs, ref) =>
      `worker 2 × 2 against cluster with 4 workers answering 4 connections, one each: ${vs.toFixed(2)}×. worker holds a thread per ` +
      `kept-alive connection (K), so 4 threads answer 4 of the ${CONNECTIONS} connections at a time, each request a turn of its own ` +
      `event loop; 4 Node processes doing the same reach ${ref.toFixed(2)}× of two workers answering all ${CONNECTIONS}. worker's 1.0× ` +
      `would need a thread for each of the ${CONNECTIONS} connections, the shape of the next row.`),
    ...againstReference(rows, 'worker-per-connection-unlimited', 'cluster-64', (vs, ref) =>
      `worker 2 × 32 against cluster with 64 workers (64 event loops each): ${vs.toFixed(2)}×. ${CONNECTIONS} event loops reach ` +
      `${ref.toFixed(2)}× of two by themselves.`),
    ...againstReference(rows, 'prefork-unlimited', 'cluster-64', (vs, ref) =>
      `Prefork against cluster with as many workers (${CONNECTIONS} processes each): ${vs.toFixed(2)}×. ` +
      `${CONNECTIONS} Node processes on this machine's cores reach ${ref.toFixed(2)}× of two by themselves, so prefork's ` +
      '0.8× is out of reach here whatever the pool does; the figure above is the cost of the pool on top of that.'),
  ];
}
