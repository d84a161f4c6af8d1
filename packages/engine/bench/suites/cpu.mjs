/** 3. CPU-bound handler: does a second thread in one child buy a second core? */

import { compareThroughput } from '../lib/compare.mjs';
import { worker1xT } from './pools.mjs';

const CONNECTIONS = 8;
const MS = 5;

export default {
  id: 'cpu',
  title: 'CPU-bound handler, threads per child',
  async run(ctx) {
    const one = worker1xT(1, 'anchor');
    const two = worker1xT(2, 'two');
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [one, two],
      anchor: 'anchor',
      load: { path: `/cpu?ms=${MS}`, connections: CONNECTIONS },
    });
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /cpu?ms=${MS}\` (a ${MS} ms busy loop per request) over ${CONNECTIONS} keep-alive connections against the worker MPM ` +
        'with one child of 2 threads and one child of 1 thread. A thread runs the handler off the child\'s main thread, so two ' +
        'threads can keep two cores busy; the ideal ratio is 2.0, minus what the client and the child\'s listener need.',
      anchorLabel: one.label,
      rows,
      targets: [{ key: 'two', value: 1.8 }],
    };
  },
};
