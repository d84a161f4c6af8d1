/** 2. Connection per request: accept and hand-off cost, paid on every request. */

import { againstReference, compareThroughput } from '../lib/compare.mjs';
import { cluster2, cluster4, clusterN, event2x1, event2x2, preforkN, worker2x2 } from './pools.mjs';

const CONNECTIONS = 16;

export default {
  id: 'close',
  title: 'Connection per request',
  async run(ctx) {
    // The references without a target run in the full run only: cluster with 4 workers (as many
    // event loops as the pools of 2 children × 2 threads answer with), and with a worker per
    // connection (as prefork has a child per connection).
    const references = ctx.plan.name === 'quick' ? [] : [cluster4, clusterN(CONNECTIONS)];
    const rows = await compareThroughput(ctx, {
      title: this.title,
      contenders: [cluster2, ...references, event2x1, event2x2, worker2x2, preforkN(CONNECTIONS)],
      anchor: 'anchor',
      load: { path: '/', connections: CONNECTIONS, headers: { connection: 'close' } },
    });
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` with \`Connection: close\` over ${CONNECTIONS} connections: every request opens a new TCP connection, ` +
        'which the server closes after the response, and autocannon reconnects. Each request therefore pays an accept in the ' +
        'primary and a hand-off of the socket to a child, as cluster\'s round-robin does; under worker and event the child\'s ' +
        'listener then hands it to a thread, a second event loop, and is told when it closes. event runs in two shapes: one thread per ' +
        'child, as many event loops answering requests as the cluster has workers, and two, twice as many on the same cores. Two references ' +
        'without a target show what Node processes cost by themselves: cluster with 4 workers, as many event loops as event and worker 2 × 2 ' +
        `answer with, and cluster with a worker per connection (${CONNECTIONS}), as many as prefork's children.`,
      anchorLabel: cluster2.label,
      rows,
      targets: [
        { key: 'event-2x1', value: 0.9 },
        { key: 'event', value: 0.9 },
        { key: 'worker', value: 0.9 },
        { key: 'prefork', value: 0.9 },
      ],
      notes: costNotes(rows),
    };
  },
};

/** Where the time per connection goes, from the CPU column: the primary, and the processes below it. */
function costNotes(rows) {
  const anchor = rows.find((r) => r.key === 'anchor');
  if (!anchor?.cpu) return [];
  const notes = [];
  for (const key of ['event-2x1', 'event', 'worker']) {
    const row = rows.find((r) => r.key === key);
    if (!row?.cpu) continue;
    notes.push(
      `${row.label} ${row.shape}: ${Math.round(row.cpu.own)} µs of CPU per connection in the primary (cluster's: ` +
        `${Math.round(anchor.cpu.own)}) and ${Math.round(row.cpu.below)} µs in the children (cluster's workers: ` +
        `${Math.round(anchor.cpu.below)}), ${((row.cpu.own + row.cpu.below) / (anchor.cpu.own + anchor.cpu.below)).toFixed(1)}× in all` +
        `${row.wakes != null && anchor.wakes != null ? `; ${row.wakes.toFixed(2)} wake-ups per connection (cluster's: ${anchor.wakes.toFixed(2)})` : ''}. ` +
        'The machine\'s two cores are shared with the load generator, so throughput follows CPU per connection.',
    );
  }
  notes.push(
    ...againstReference(rows, 'event', 'cluster-4', (vs, ref) =>
      `event 2 × 2 against cluster with 4 workers (4 event loops each): ${vs.toFixed(2)}×. Four Node processes reach ${ref.toFixed(2)}× ` +
      'of two by themselves here.'),
    ...againstReference(rows, 'worker', 'cluster-4', (vs, ref) =>
      `worker 2 × 2 against cluster with 4 workers: ${vs.toFixed(2)}×. worker binds each connection to a thread, so its child is full ` +
      'with 2 connections and the primary must hear of every close before it gives that child another (its threads tell it ' +
      'directly); cluster hands connections out without asking. So every connection wakes three event loops in turn: the primary, ' +
      'told of the close, the child\'s listener, handed the next connection, and a thread, asleep since its last one; event\'s ' +
      'threads go from one connection to the next without sleeping, and its children tell their closes in batches. The wake-ups ' +
      `column counts it. Four Node processes reach ${ref.toFixed(2)}× of two by themselves.`),
    ...againstReference(rows, 'prefork', `cluster-${CONNECTIONS}`, (vs, ref) =>
      `Prefork against cluster with as many workers (${CONNECTIONS} processes each): ${vs.toFixed(2)}×. ` +
      `${CONNECTIONS} Node processes reach ${ref.toFixed(2)}× of two by themselves.`),
  );
  return notes;
}
