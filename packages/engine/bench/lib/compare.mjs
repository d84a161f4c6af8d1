/**
 * One throughput comparison: every contender is started once, then the runs alternate between
 * them in rounds, each contender's run bracketed by two runs of the anchor (lib/pairing.mjs), so
 * drift on a shared machine — other work, thermal, page cache — lands on a run and the anchor
 * runs beside it alike, and each contender is judged against the anchor as it ran just then.
 */

import { settler, withCpu } from './cpu.mjs';
import { startServer } from './servers.mjs';
import { bracketedRatios, roundOrder } from './pairing.mjs';
import { max, median, min } from './stats.mjs';
import { servingIsolates, warmUp } from './warmup.mjs';

/**
 * contenders: [{ key, label, server: [name, args], load? }]; `anchor`: the anchor's key.
 * load: { path, connections, headers }, which a contender's own `load` may amend (a reference
 * row run with fewer connections). Resolves with one row per contender.
 */
export async function compareThroughput(ctx, { title, contenders, anchor, load }) {
  const { log, plan } = ctx;
  const started = [];
  const runs = new Map(contenders.map((c) => [c.key, []]));
  /** Each contender's bracketed ratios to the anchor, one a round. */
  const ratios = new Map(contenders.map((c) => [c.key, []]));
  const info = new Map();
  /** Each contender's warm-up slices: CPU µs per request (lib/warmup.mjs). */
  const warm = new Map();
  try {
    // Side by side: a pool of 64 processes takes seconds to boot, and the machine's cores are
    // otherwise idle while one does.
    log(`${title}: starting ${contenders.map((c) => (c.shape ? `${c.label} (${c.shape})` : c.label)).join(', ')}`);
    const starts = await Promise.allSettled(contenders.map((c) => startServer(c.label, ...c.server)));
    starts.forEach((s, i) => {
      if (s.status === 'fulfilled') started.push({ c: contenders[i], server: s.value });
    });
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const pids = [ctx.load.pid, ...started.map((s) => s.server.pid)];
    const rest = await settler(pids, plan.settleMaxMs);
    let waited = 0;
    const anchorEntry = started.find((s) => s.c.key === anchor);
    const others = started.filter((s) => s !== anchorEntry);
    const warmed = new Set();
    for (let r = 0; r < plan.runs; r++) {
      const order = roundOrder(others.length, r);
      const rps = [];
      for (const [p, i] of order.entries()) {
        const { c, server } = i < 0 ? anchorEntry : others[i];
        const who = (c.shape ? `${c.label}, ${c.shape.split(',')[0]}` : c.label).padEnd(40);
        if (!warmed.has(c.key) && plan.warmup > 0) {
          warmed.add(c.key);
          const slice = async () => {
            const res = await withCpu(server.pid, () => ctx.load.run({ port: server.port, ...load, ...c.load, duration: plan.warmup }));
            return { cpu: res.cpu ? res.cpu.own + res.cpu.below : null, requests: res.total };
          };
          const slices = await warmUp(slice, plan.warmupSlices, { isolates: servingIsolates(c), cap: plan.warmupMaxSlices });
          const seconds = slices.length * plan.warmup;
          warm.set(c.key, { seconds, first: slices[0], last: slices.at(-1) });
          log(`${title}: warmed ${who} ${seconds} s, CPU µs per request ${slices.map((v) => (v == null ? '—' : Math.round(v))).join(' → ')}`);
        }
        waited += await rest.settle();
        const res = await withCpu(server.pid, () => ctx.load.run({ port: server.port, ...load, ...c.load, duration: plan.duration }));
        runs.get(c.key).push(res);
        rps[p] = res.rps;
        const bad = res.errors + res.timeouts + res.non2xx;
        log(`${title}: round ${r + 1}/${plan.runs} ${who} ${fmtRps(res.rps)} req/s  p99 ${res.latency.p99} ms${bad ? `  (${res.errors} errors, ${res.timeouts} timeouts, ${res.non2xx} non-2xx)` : ''}`);
      }
      for (const { index, ratio } of bracketedRatios(order, rps)) {
        if (Number.isFinite(ratio)) ratios.get(others[index].c.key).push(ratio);
      }
    }
    if (rest.resting !== null) log(`${title}: at rest the servers used ${(rest.resting / 1000).toFixed(1)} ms of CPU per 200 ms; runs waited ${(waited / 1000).toFixed(1)} s in all for them to be back at rest`);
    for (const { c, server } of started) {
      if (c.server[0] === 'forkyard') info.set(c.key, await server.request('info'));
    }
  } finally {
    await Promise.all(started.map(({ server }) => server.stop()));
  }
  return contenders.map((c) => {
    const isAnchor = c.key === anchor;
    const s = started.find((x) => x.c.key === c.key)?.server;
    return {
      ...c,
      ...runFigures(runs.get(c.key), isAnchor ? null : ratios.get(c.key)),
      isAnchor,
      details: s?.details ?? {},
      info: info.get(c.key) ?? null,
      warm: warm.get(c.key) ?? null,
    };
  });
}

/**
 * A row's figures from its runs (load/main.mjs results with withCpu's `cpu` and `wakes`) and its
 * per-run ratios to the anchor (null for the anchor itself: 1, no range): what the report's
 * throughput table shows.
 */
export function runFigures(results, paired) {
  const rps = results.map((x) => x.rps);
  return {
    rps,
    median: median(rps),
    min: min(rps),
    max: max(rps),
    ratio: paired ? median(paired) : 1,
    paired: paired ? { min: min(paired), max: max(paired) } : null,
    p99: median(results.map((x) => x.latency.p99)),
    cpu: medianCpu(results.map((x) => x.cpu)),
    wakes: medianWakes(results),
    errors: results.reduce((n, x) => n + x.errors + x.timeouts + x.non2xx, 0),
  };
}

/** Median CPU per request over the runs, for the server process and for the processes below it. */
export function medianCpu(cpus) {
  const known = cpus.filter(Boolean);
  if (known.length === 0) return null;
  return { own: median(known.map((c) => c.own)), below: median(known.map((c) => c.below)) };
}

/** Median wake-ups per request over the runs (lib/cpu.mjs withCpu), or null where none was measured. */
export function medianWakes(results) {
  const known = results.map((r) => r.wakes).filter((w) => w != null);
  return known.length ? median(known) : null;
}

/**
 * A note comparing a row with a reference row (the plain Node setup of the same shape): `text`
 * gets the row's ratio to the anchor over the reference's (each judged against the anchor runs
 * beside it), and the reference's own ratio to the anchor.
 */
export function againstReference(rows, key, refKey, text) {
  const row = rows.find((r) => r.key === key);
  const ref = rows.find((r) => r.key === refKey);
  return row && ref?.ratio > 0 ? [text(row.ratio / ref.ratio, ref.ratio)] : [];
}

export function fmtRps(v) {
  return Math.round(v).toLocaleString('en-US').padStart(7);
}
