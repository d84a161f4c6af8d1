/**
 * 7. Overhead of observation: does watching the pool slow it down? One event pool with its
 * control plane in the primary's process serves keep-alive hello load, alternately with no
 * stream client and with 10 clients on /api/v1/stream at 10 Hz, each parsing every frame.
 *
 *   autocannon ──64 keep-alive──▶ primary ─▶ 2 children × 2 threads
 *   runner ──10 × ws /api/v1/stream──▶ control plane (same primary): one ticker, 10 sends a tick
 *
 * The runs alternate (run r starts with the observed variant when r is odd) so drift lands on
 * both; each round's two runs are side by side, and the ratio is the median of the rounds' ratios.
 */

import { startServer } from '../lib/servers.mjs';
import { fmtRps, runFigures } from '../lib/compare.mjs';
import { settler, withCpu } from '../lib/cpu.mjs';
import { openObserver } from '../lib/stream-observer.mjs';
import { max, median, min } from '../lib/stats.mjs';
import { CONTROL_PLANE_BUILT, event2x2Control } from './pools.mjs';

const OBSERVERS = 10;
const CONNECTIONS = 64;
const TARGET = 0.95;
/**
 * 2 s even in the quick run (whose plan warms up for 1 s): one cold run (threads still
 * compiling the app, the control plane's first snapshots) would skew a median of three
 * against a 5 % margin.
 */
const WARMUP_S = 2;

/** What the observers received over one run, per client. */
function observerFigures(observers, starts, ends) {
  return observers.map((o, i) => {
    const s = (ends[i].at - starts[i].at) / 1000;
    const frames = ends[i].frames - starts[i].frames;
    return {
      framesPerSec: frames / s,
      wirePerSec: (ends[i].wire - starts[i].wire) / s,
      meanFrame: frames > 0 ? (ends[i].text - starts[i].text) / frames : 0,
      parseErrors: o.parseErrors,
      binary: o.frames.binary,
      closedEarly: o.closedEarly === null ? 0 : 1,
      extensions: o.extensions,
    };
  });
}

const ms = (us) => (us / 1000).toFixed(1);

/** The anchor row has no ratios of its own; the observed one, each round's against the round's run without clients. */
function row(key, label, results, anchorResults) {
  const isAnchor = results === anchorResults;
  return {
    key,
    label,
    shape: event2x2Control.shape,
    ...runFigures(results, isAnchor ? null : results.map((r, i) => r.rps / anchorResults[i].rps)),
    isAnchor,
    /** The primary's CPU per second of load (µs), where the control plane and the stream run. */
    primaryPerSec: median(results.map((r) => r.primaryPerSec ?? 0)),
    details: {},
    info: null,
  };
}

export default {
  id: 'observation',
  title: 'Overhead of observation',
  requires: [CONTROL_PLANE_BUILT],
  async run(ctx) {
    const { log, plan } = ctx;
    const runs = { none: [], observed: [] };
    const seen = [];
    const server = await startServer(event2x2Control.label, ...event2x2Control.server);
    let info;
    try {
      const controlPort = server.details.controlPort;
      const rest = await settler([ctx.load.pid, server.pid], plan.settleMaxMs);
      for (let r = 0; r < plan.runs; r++) {
        const order = r % 2 ? ['observed', 'none'] : ['none', 'observed'];
        for (const which of order) {
          await rest.settle();
          const observers = which === 'observed' ? await Promise.all(Array.from({ length: OBSERVERS }, () => openObserver(controlPort))) : [];
          try {
            if (r === 0 && which === order[0]) await ctx.load.run({ port: server.port, connections: CONNECTIONS, duration: WARMUP_S });
            const starts = observers.map((o) => o.mark());
            const res = await withCpu(server.pid, () => ctx.load.run({ port: server.port, connections: CONNECTIONS, duration: plan.duration }));
            const ends = observers.map((o) => o.mark());
            runs[which].push({ ...res, primaryPerSec: res.cpu ? res.cpu.own * res.rps : null });
            const figs = observerFigures(observers, starts, ends);
            seen.push(...figs);
            const fps = figs.length ? `, ${median(figs.map((f) => f.framesPerSec)).toFixed(1)} frames/s per client` : '';
            log(`${this.title}: run ${r + 1}/${plan.runs} ${which === 'none' ? 'no stream clients ' : `${OBSERVERS} stream clients`} ${fmtRps(res.rps)} req/s  p99 ${res.latency.p99} ms${fps}`);
          } finally {
            await Promise.all(observers.map((o) => o.close()));
          }
        }
      }
      info = await server.request('info');
    } finally {
      await server.stop();
    }

    const observerErrors = seen.reduce((n, f) => n + f.parseErrors + f.closedEarly, 0);
    const anchor = row('anchor', 'no stream clients', runs.none, runs.none);
    const observed = row('observed', `${OBSERVERS} stream clients at 10 Hz`, runs.observed, runs.none);
    observed.errors += observerErrors;
    const ext = [...new Set(seen.map((f) => f.extensions || 'none'))].join(', ');
    const e = server.details.effective ?? {};
    const notes = [
      `Effective directives: ${Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ')}${info ? `; ${info.children} children alive after the runs` : ''}.`,
      `The primary, where the control plane serves the stream, used ${ms(observed.primaryPerSec)} ms of CPU per second of load with ` +
        `the clients and ${ms(anchor.primaryPerSec)} ms without: the stream costs it ${ms(observed.primaryPerSec - anchor.primaryPerSec)} ms ` +
        `per second, ${((observed.primaryPerSec - anchor.primaryPerSec) / 10_000).toFixed(1)} % of one core, for ${OBSERVERS} clients. ` +
        'Unlike the ratio, this figure does not move with the load generator\'s share of the cores.',
      `Stream clients: per client and run, a median of ${median(seen.map((f) => f.framesPerSec)).toFixed(1)} frames/s ` +
        `(${min(seen.map((f) => f.framesPerSec)).toFixed(1)} – ${max(seen.map((f) => f.framesPerSec)).toFixed(1)}), ` +
        `${Math.round(median(seen.map((f) => f.wirePerSec))).toLocaleString('en-US')} bytes/s on the wire, ` +
        `${Math.round(median(seen.map((f) => f.meanFrame))).toLocaleString('en-US')} bytes per frame as text; extension negotiated: ${ext}. ` +
        `Every text frame was parsed: ${seen.reduce((n, f) => n + f.parseErrors, 0)} parse errors, ` +
        `${seen.reduce((n, f) => n + f.closedEarly, 0)} clients closed by the server` +
        `${seen.some((f) => f.binary > 0) ? `, ${seen.reduce((n, f) => n + f.binary, 0)} binary frames (not JSON, counted but not parsed)` : ''}; ` +
        'both count as errors of the observed row.',
    ];
    return {
      kind: 'throughput',
      title: this.title,
      intro:
        `\`GET /\` over ${CONNECTIONS} keep-alive connections to Forkyard event (${event2x2Control.shape}, the keep-alive ` +
        'benchmark\'s shape) with its control plane running in the primary\'s process, as `forkyard start` runs it. The runs ' +
        `alternate between no stream client and ${OBSERVERS} clients connected to \`/api/v1/stream\` at its full 10 Hz, ` +
        'each a real observer: ws with its defaults (it offers permessage-deflate, as a browser does), every frame read and ' +
        'parsed with JSON.parse. The clients run in the runner\'s process on the same cores, so their parsing is charged to ' +
        'the observed runs too. The ratio is of the median req/s with clients to the median without.',
      anchorLabel: 'no stream clients',
      rows: [anchor, observed],
      notes,
      targets: [{ key: 'observed', value: TARGET }],
    };
  },
};
