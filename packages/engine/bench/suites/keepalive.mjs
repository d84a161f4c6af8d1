/** 1. Keep-alive hello: the pools' overhead per request when the handler costs nothing. */

import { compareThroughput } from '../lib/compare.mjs';
import { cluster2, cluster64, event2x2, nodeHttp, preforkN, worker2x2 } from './pools.mjs';

const CONNECTIONS = 64;

export default {
  id: 'keepalive',
  title: 'Keep-alive hello',
  async run(ctx) {
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [nodeHttp, cluster2, cluster64, event2x2, worker2x2, preforkN(CONNECTIONS)],
      anchor: 'anchor',
      load: { path: '/', connections: CONNECTIONS },
    });
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` (a 20-byte body) over ${CONNECTIONS} keep-alive connections. node:http and cluster use Node's defaults ` +
        '(no limit on requests per connection); Forkyard keeps httpd\'s defaults (MaxKeepAliveRequests 100, KeepAliveTimeout 5), ' +
        'so its clients reconnect every 101 requests and each reconnect is a fresh hand-off by the primary. ' +
        'worker serves one connection per thread, so with 4 threads the other 60 connections wait in the primary\'s accept queue; ' +
        'throughput is what counts here, not their latency. prefork needs one child per connection, 64 processes on this ' +
        'machine\'s cores; cluster with 64 workers is there, without a target, to show what 64 Node processes cost by themselves.',
      anchorLabel: cluster2.label,
      rows,
      targets: [
        { key: 'event', value: 1.0 },
        { key: 'worker', value: 1.0 },
        { key: 'prefork', value: 0.8 },
      ],
    };
  },
};
