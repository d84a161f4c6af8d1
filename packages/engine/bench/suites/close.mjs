/** 2. Connection per request: accept and hand-off cost, paid on every request. */

import { compareThroughput } from '../lib/compare.mjs';
import { cluster2, event2x2, preforkN, worker2x2 } from './pools.mjs';

const CONNECTIONS = 16;

export default {
  id: 'close',
  title: 'Connection per request',
  async run(ctx) {
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [cluster2, event2x2, worker2x2, preforkN(CONNECTIONS)],
      anchor: 'anchor',
      load: { path: '/', connections: CONNECTIONS, headers: { connection: 'close' } },
    });
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` with \`Connection: close\` over ${CONNECTIONS} connections: every request opens a new TCP connection, ` +
        'which the server closes after the response, and autocannon reconnects. Each request therefore pays an accept in the ' +
        'primary and a hand-off of the socket to a child.',
      anchorLabel: cluster2.label,
      rows,
      targets: [
        { key: 'event', value: 0.9 },
        { key: 'worker', value: 0.9 },
        { key: 'prefork', value: 0.9 },
      ],
    };
  },
};
