/**
 * 8. Stream bytes per client: what one dashboard tab costs in bandwidth while it watches a
 * loaded pool with a 1,024-slot scoreboard (ServerLimit 16 × ThreadsPerChild 64, event).
 *
 *   autocannon ──N keep-alive, /sleep?ms=20 then / ──▶ primary ─▶ children × 64 threads
 *   runner ── one ws client on /api/v1/stream at 10 Hz, counting its socket's bytesRead
 *
 * Every slot of a live child is in the snapshot; slots of children that do not exist are not.
 * All 16 children (1,024 threads, about 10 MB each) do not start on a 2-core machine within
 * the pool's start-up timeout, so the pool runs with as many children as it can afford: 4 in
 * the quick run, 4 and 8 in the full run, so the growth with live slots shows. One
 * connection per live thread, each alternating a 20 ms sleep and a hello, keeps every slot
 * moving between W, K and _ at every tick.
 */

import { openObserver } from '../lib/stream-observer.mjs';
import { startServer } from '../lib/servers.mjs';
import { CONTROL_PLANE_BUILT } from './pools.mjs';

const SERVER_LIMIT = 16;
const THREADS = 64;
const TARGET_KB = 20;
/** Load before the client connects, so the first snapshot is already of a loaded pool. */
const SETTLE_S = 2;
const REQUESTS = [{ path: '/sleep?ms=20' }, { path: '/' }];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function shape(children) {
  return {
    StartServers: children,
    ServerLimit: SERVER_LIMIT,
    ThreadLimit: THREADS,
    ThreadsPerChild: THREADS,
    MaxRequestWorkers: children * THREADS,
    MinSpareThreads: 1,
    MaxSpareThreads: children * THREADS,
  };
}

async function measure(ctx, title, children, windowS) {
  const label = `event, ${children} children × ${THREADS} threads`;
  const connections = children * THREADS;
  ctx.log(`${title}: starting ${label}`);
  // No standby: it would boot another child of THREADS threads beside the pool, and it is not what is measured.
  const server = await startServer(`Forkyard ${label}`, 'forkyard', [JSON.stringify({ mpm: 'event', directives: shape(children), control: true, standby: false })]);
  let observer = null;
  try {
    const loadDone = ctx.load.run({ port: server.port, connections, duration: SETTLE_S + windowS + 2, requests: REQUESTS });
    await sleep(SETTLE_S * 1000);
    observer = await openObserver(server.details.controlPort);
    const m0 = observer.mark();
    await sleep((windowS * 1000) / 2);
    const busy = (await server.request('status')).figures;
    await sleep((windowS * 1000) / 2);
    const m1 = observer.mark();
    await observer.close();
    const load = await loadDone;
    const window = (m1.at - m0.at) / 1000;
    const frames = m1.frames - m0.frames;
    const row = {
      key: `c${children}`,
      label,
      slots: SERVER_LIMIT * THREADS,
      liveSlots: children * THREADS,
      rps: load.rps,
      loadErrors: load.errors + load.timeouts + load.non2xx,
      window,
      frames,
      framesPerSec: frames / window,
      snapshotBytes: observer.snapshotBytes,
      meanFrameBytes: frames > 0 ? (m1.text - m0.text) / frames : 0,
      wireBytesPerSec: (m1.wire - m0.wire) / window,
      // A starved machine delivers fewer than 10 frames a second, which would flatter the rate:
      // the same bytes per frame at the full 10 Hz is what the target is judged on when larger.
      wireBytesAt10Hz: frames > 0 ? ((m1.wire - m0.wire) / frames) * 10 : 0,
      extensions: observer.extensions,
      parseErrors: observer.parseErrors,
      closedEarly: observer.closedEarly,
      busy: { busy: busy.BusyWorkers, idle: busy.IdleWorkers, conns: busy.ConnsTotal },
    };
    ctx.log(
      `${title}: ${label}: ${(row.wireBytesPerSec / 1000).toFixed(1)} KB/s on the wire, ${row.framesPerSec.toFixed(1)} frames/s, ` +
        `snapshot ${row.snapshotBytes} bytes, mean frame ${Math.round(row.meanFrameBytes)} bytes; load ${Math.round(row.rps)} req/s, ` +
        `BusyWorkers ${busy.BusyWorkers} at mid-window; extension ${row.extensions || 'none'}`,
    );
    return row;
  } finally {
    await observer?.close();
    await server.stop();
  }
}

export default {
  id: 'stream-bytes',
  title: 'Stream bytes per client',
  requires: [CONTROL_PLANE_BUILT],
  async run(ctx) {
    const quick = ctx.plan.name === 'quick';
    const windowS = quick ? 4 : 20;
    const rows = [await measure(ctx, this.title, 4, windowS)];
    const notes = [];
    if (!quick) {
      // The larger pool is there to show the growth; if this machine cannot start it, say so and keep the rest.
      try {
        rows.push(await measure(ctx, this.title, 8, windowS));
      } catch (err) {
        ctx.log(`${this.title}: 8 children: ${err.message}`);
        notes.push(`The pool of 8 children × ${THREADS} threads did not run: ${err.message.split('\n')[0]}.`);
      }
    }
    const fig = rows
      .map((r) => `${r.label}: BusyWorkers ${r.busy.busy}, IdleWorkers ${r.busy.idle}, ConnsTotal ${r.busy.conns} at mid-window; ${r.loadErrors} load errors, ${r.parseErrors} parse errors${r.closedEarly === null ? '' : `, closed by the server (${r.closedEarly})`}`)
      .join('. ');
    return {
      kind: 'stream',
      title: this.title,
      intro:
        `One client on \`/api/v1/stream\` at 10 Hz watching an event pool whose scoreboard has ${(SERVER_LIMIT * THREADS).toLocaleString('en-US')} slots ` +
        `(ServerLimit ${SERVER_LIMIT} × ThreadsPerChild ${THREADS}; control plane in the primary's process; no standby). The pool runs with ` +
        `as many children as this machine affords (each thread costs about 10 MB; all ${SERVER_LIMIT} do not start in time on 2 cores), ` +
        'so the live slots are those of the children alive; the snapshot carries only those. autocannon holds one keep-alive ' +
        'connection per live thread, each alternating `GET /sleep?ms=20` and `GET /`, so the slots keep moving at every tick. ' +
        `After ${SETTLE_S} s of load the client connects (ws with its defaults: it offers permessage-deflate, as a browser does), ` +
        `parses every frame, and counts the bytes its TCP socket reads over ${windowS} s after the first snapshot: WebSocket framing and ` +
        'any compression included. KB = 1,000 bytes; the target is per client, judged on the larger of the measured rate and ' +
        'the same bytes per frame at a full 10 frames/s (a busy machine delivers fewer frames, which would flatter the rate). ' +
        '"mean frame" is the mean size of the frames ' +
        `in the window (deltas, and events if any) as text, before compression.\n\n${[`${fig}.`, ...notes].join(' ')}`,
      rows,
      targets: rows.map((r) => ({ key: r.key, value: TARGET_KB })),
    };
  },
};
