/** Renders docs/BENCHMARKS.md from the sections the suites return. Pure: data in, text out. */

import { WARM_PATIENCE, WARM_REQUESTS_PER_ISOLATE, WARM_STEADY } from './warmup.mjs';

const int = (v) => Math.round(v).toLocaleString('en-US');
const x2 = (v) => `${v.toFixed(2)}×`;
/**
 * A ratio judged against a target, to two decimals unless those would round a miss up onto the
 * target: then cut (not rounded) to three, so 0.8996 against 0.9 reads 0.899×, never 0.90×.
 */
export const judgedRatio = (v, target) => (v < target && Number(v.toFixed(2)) >= target ? `${(Math.floor(v * 1000) / 1000).toFixed(3)}×` : x2(v));
const ms1 = (v) => v.toFixed(1);
const kib1 = (v) => (v / 1024).toFixed(1);
const mib = (v) => Math.round(v / 2 ** 20).toLocaleString('en-US');
/** Stream targets are in KB, 1,000 bytes. */
const kb1 = (v) => (v / 1000).toFixed(1);
/** 0.9 → `0.9`, 0.95 → `0.95`. */
const factor = (v) => String(Number(v.toFixed(2)));

/** null: reported, no target. */
function verdict(pass) {
  if (pass === null) return '—';
  return pass ? '**PASS**' : '**MISS**';
}

/**
 * Memory per parked connection, or why this run could not tell it: the threads' heaps shrinking
 * (garbage of the earlier load collected) can outweigh what the connections add.
 */
function memoryFigure(m) {
  if (m.perConnection >= 0) return `${kib1(m.perConnection)} KiB per parked connection`;
  return 'not measurable in this run: the heaps shrank by more than the connections added';
}

/** The idle benchmark counts only if ?auto saw (nearly) all of its connections parked. */
export function parkedVerified(parked) {
  return parked !== null && parked.opened >= parked.wanted && parked.atRest.ConnsAsyncKeepAlive >= 0.98 * parked.wanted;
}

/** Each target, with what was measured and whether it holds; used by the summary and the sections. */
export function judge(section) {
  if (section.kind === 'idle') return judgeIdle(section);
  return section.targets.map((t) => {
    const row = section.rows.find((r) => r.key === t.key);
    if (section.kind === 'stream') {
      const judged = Math.max(row.wireBytesPerSec, row.wireBytesAt10Hz);
      const measured = `${kb1(row.wireBytesPerSec)} KB/s${judged > row.wireBytesPerSec ? ` (${kb1(judged)} at 10 frames/s)` : ''}`;
      return { label: row.label, measured, target: `≤ ${t.value} KB/s per client`, pass: row.frames > 0 && judged <= t.value * 1000 };
    }
    if (section.kind === 'frames') {
      if (!row.work) return { label: row.label, measured: 'no trace of the main thread', target: `work per frame p95 < ${t.value} ms`, pass: false };
      return { label: row.label, measured: `work per frame p95 ${ms1(row.work.p95)} ms (frame interval p95 ${ms1(row.p95)} ms)`, target: `work per frame p95 < ${t.value} ms`, pass: row.frames > 0 && row.work.p95 < t.value };
    }
    if (section.kind === 'latency') {
      return { label: row.label, measured: `p50 ${ms1(row.p50)} ms`, target: `p50 < ${t.value} ms`, pass: row.n > 0 && row.p50 < t.value };
    }
    const label = row.shape ? `${row.label} (${row.shape})` : row.label;
    return { label, measured: `${judgedRatio(row.ratio, t.value)} ${section.anchorLabel}`, target: `≥ ${factor(t.value)}×`, pass: row.ratio >= t.value && row.errors === 0 };
  });
}

function judgeIdle(s) {
  const row = s.rows.find((r) => r.key === 'fresh');
  const t = s.targets[0];
  const out = [
    {
      label: row?.label ?? 'fresh connection',
      measured: row ? `p99 ${ms1(row.p99)} ms` : 'not measured',
      target: `p99 < ${t.value} ms`,
      pass: row !== undefined && row.n > 0 && row.errors === 0 && parkedVerified(s.parked) && row.p99 < t.value,
    },
  ];
  if (s.memory) out.push({ label: 'memory per parked connection', measured: memoryFigure(s.memory), target: 'reported', pass: null });
  return out;
}

function directivesLine(row) {
  const e = row.details?.effective;
  if (!e) return null;
  const list = Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ');
  const kids = row.info ? `; ${row.info.children} ${row.info.children === 1 ? 'child' : 'children'} alive after the runs` : '';
  return `- ${row.label}: ${list}${kids}`;
}

function idleSection(s) {
  const out = [s.intro];
  if (s.rows.length === 0) return out;
  out.push('', '| Probe | samples | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | errors |', '|---|--:|--:|--:|--:|--:|--:|');
  for (const r of s.rows) out.push(`| ${r.label} | ${r.n} | ${ms1(r.p50)} | ${ms1(r.p90)} | ${ms1(r.p99)} | ${ms1(r.max)} | ${r.errors} |`);
  const p = s.parked;
  const fig = (f) => `ConnsTotal ${f.ConnsTotal}, ConnsAsyncKeepAlive ${f.ConnsAsyncKeepAlive}, BusyWorkers ${f.BusyWorkers}, IdleWorkers ${f.IdleWorkers}, Processes ${f.Processes}`;
  out.push(
    '',
    `Parked: ${int(p.opened)} of ${int(p.wanted)} connections open (${p.failed} failed to open). The pool's own /server-status?auto with them ` +
      `at rest: ${fig(p.atRest)}; after the probes: ${fig(p.afterProbes)}. ${p.closedByServer} of them were closed by the server during the run. ` +
      `${parkedVerified(p) ? 'They were parked: the target counts.' : '**They were not all parked, so the target is a MISS whatever the latency.**'}`,
  );
  const memoryLine = (m, where, afterWhat) =>
    `Memory${where}: VmRSS of the primary and its children ${mib(m.before)} MiB before the connections were opened, ${mib(m.half ?? m.before)} MiB with ${(m.halfCount ?? 0).toLocaleString('en-US')} parked, ${mib(m.after)} MiB with all parked: ` +
    `**${memoryFigure(m)}** (the primary's share ${kib1(m.primaryPerConnection)} KiB); ` +
    `${mib(m.afterProbes)} MiB ${afterWhat}` +
    `${m.sameChildren ? '' : '; the children changed in between, so this figure mixes processes'}.`;
  const m = s.memory;
  out.push('', memoryLine(m, m.shape ? ` (${m.shape})` : '', m.shape ? 'a moment later' : 'after the probes, with them still parked'));
  if (s.memoryProbePool) out.push('', memoryLine(s.memoryProbePool, ' (the probe pool, 50 threads)', 'after the probes, with them still parked'));
  const e = s.details?.effective;
  if (e) out.push('', `Effective directives: ${Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  return out;
}

function streamSection(s) {
  const out = [s.intro];
  if (s.rows.length === 0) return out;
  out.push(
    '',
    '| Pool | live slots | load (req/s) | window (s) | frames/s | snapshot (bytes) | mean frame (bytes) | on the wire per client (KB/s) | at 10 frames/s (KB/s) | extension |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  );
  for (const r of s.rows) {
    out.push(
      `| ${r.label} | ${int(r.liveSlots)} of ${int(r.slots)} | ${int(r.rps)} | ${r.window.toFixed(1)} | ${r.framesPerSec.toFixed(1)} | ${int(r.snapshotBytes)} | ${int(r.meanFrameBytes)} | ${kb1(r.wireBytesPerSec)} | ${kb1(r.wireBytesAt10Hz)} | ${r.extensions || 'none'} |`,
    );
  }
  return out;
}

/** `primary + children` CPU per request in µs; a single process has nothing below it. */
function cpuCell(cpu) {
  if (!cpu) return '—';
  return cpu.below > 0 ? `${int(cpu.own)} + ${int(cpu.below)}` : int(cpu.own);
}

/** `8 s: 412 → 251`: how long the contender was warmed, and its CPU per request in the first and last slice. */
function warmCell(w) {
  if (!w) return '—';
  const us = (v) => (v == null ? '—' : int(v));
  return `${w.seconds} s: ${us(w.first)} → ${us(w.last)}`;
}

function throughputSection(s) {
  const out = [
    s.intro,
    '',
    `| Contender | Shape | req/s (median) | min – max | × ${s.anchorLabel} | per-run ratio | p99 latency (ms) | CPU µs per request: primary + below | wake-ups per request | warm-up: s, CPU µs per request first → last slice | errors |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of s.rows) {
    // A comparison of its own within the section (its own anchor, measured alongside it).
    if (r.separator) {
      out.push(`| **${r.separator}** |${' |'.repeat(10)}`);
      continue;
    }
    out.push(
      `| ${r.label} | ${r.shape ?? '—'} | ${int(r.median)} | ${int(r.min)} – ${int(r.max)} | ${r.isAnchor ? '1.00× (anchor)' : x2(r.ratio)} | ${r.paired ? `${x2(r.paired.min)} – ${x2(r.paired.max)}` : '—'} | ${r.p99} | ${cpuCell(r.cpu)} | ${r.wakes == null ? '—' : r.wakes.toFixed(2)} | ${warmCell(r.warm)} | ${r.errors} |`,
    );
  }
  const lines = s.rows.map(directivesLine).filter(Boolean);
  if (lines.length > 0) out.push('', 'Effective directives (after httpd\'s adjustments):', '', ...lines);
  for (const note of s.notes ?? []) out.push('', note);
  return out;
}

function framesSection(s) {
  const out = [s.intro];
  if (s.rows.length === 0) return out;
  out.push(
    '',
    '| Page | frames | fps | interval p50 / p95 / p99 / max (ms) | work per frame p50 / p95 / p99 / max (ms) | frames with more than 16.7 ms of work | canvas paint p95 (ms) | store update p95 (ms) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const r of s.rows) {
    const w = r.work ? `${ms1(r.work.p50)} / ${ms1(r.work.p95)} / ${ms1(r.work.p99)} / ${ms1(r.work.max)}` : '—';
    const over = r.work ? `${r.work.over16ms} of ${r.work.frames}` : '—';
    out.push(`| ${r.label} | ${r.frames} | ${r.fps} | ${ms1(r.p50)} / ${ms1(r.p95)} / ${ms1(r.p99)} / ${ms1(r.max)} | ${w} | ${over} | ${r.paintP95 ?? '—'} | ${r.storeP95 ?? '—'} |`);
  }
  return out;
}

function latencySection(s) {
  const out = [
    s.intro,
    '',
    '| Variant | samples | p50 (ms) | p90 (ms) | min – max (ms) |',
    '|---|--:|--:|--:|--:|',
  ];
  for (const r of s.rows) out.push(`| ${r.label} | ${r.n} | ${ms1(r.p50)} | ${ms1(r.p90)} | ${ms1(r.min)} – ${ms1(r.max)} |`);
  const lines = s.rows.map(directivesLine).filter(Boolean);
  if (lines.length > 0) out.push('', 'Effective directives:', '', ...lines);
  return out;
}

/** Whether runs wait for the machine to be quiet first (lib/cpu.mjs settle). */
function settleText(plan) {
  if (plan.settleMaxMs <= 0) return 'each run started right after the one before';
  return `each run started once the servers and the load generator were quiet (back to their CPU use at rest, within 10 ms per 200 ms, twice in a row, or after ${plan.settleMaxMs / 1000} s)`;
}

/** How the plan warms each contender (lib/warmup.mjs). */
function warmupText(plan) {
  if (plan.warmupSlices <= 1) return `each contender warmed up for ${plan.warmup} s before its first run`;
  return (
    `each contender warmed up before its first run until its CPU per request settled (in slices of ${plan.warmup} s, ended once ${WARM_PATIENCE} slices ` +
    `in a row came no more than ${WARM_STEADY * 100} % below the best slice before them, but not before it had answered ` +
    `${WARM_REQUESTS_PER_ISOLATE.toLocaleString('en-US')} requests per isolate that serves them; ${plan.warmup * plan.warmupSlices} s at most after that, ` +
    `${plan.warmup * plan.warmupMaxSlices} s at most in all)`
  );
}

export function renderReport({ machine: m, plan, loadgen, sections, skipped, suiteIds, loadavgEnd }) {
  // Judged at the start: at the end the figure also counts the benchmarks' own 64-process pools.
  const busy = m.loadavg[0] > m.cores;
  const out = [
    '# Benchmarks',
    '',
    `Written by \`pnpm bench${plan.name === 'quick' ? ' --quick' : ''}\` on ${m.date} from Forkyard ${m.commit}: ` +
      `${plan.runs} runs of ${plan.duration} s per contender, each between two runs of its comparison's anchor, ${warmupText(plan)}, and ${settleText(plan)}` +
      `${plan.name === 'quick' ? ' (quick mode: fewer and shorter runs, so wider spreads)' : ''}. ` +
      'Regenerate it rather than editing it.',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${m.cpu}, ${m.cores} cores |`,
    `| RAM | ${m.ramGiB.toFixed(1)} GiB |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| Forkyard commit | ${m.commit} |`,
    `| Date | ${m.date} |`,
    `| Load generator | autocannon ${loadgen}, in its own process on the same machine |`,
    `| Load average (1, 5, 15 min) | ${m.loadavg.map((v) => v.toFixed(2)).join(' ')} at start, ${loadavgEnd.map((v) => v.toFixed(2)).join(' ')} at the end (counting the benchmarks' own pools of 64 processes) |`,
    '',
    ...(busy
      ? [
          `**The machine was busy**: a 1-minute load average above its ${m.cores} cores means other work competed with every ` +
            'contender. Alternating runs spreads that over all of them, but absolute numbers are low and spreads wide: ' +
            'compare ratios only, and rerun on a quiet machine before trusting a small difference.',
          '',
        ]
      : []),
    '## Summary',
    '',
    '| Benchmark | Contender | Measured | Target | Result |',
    '|---|---|--:|--:|:-:|',
  ];
  sections.forEach((s, i) => {
    for (const j of judge(s)) out.push(`| ${i + 1}. ${s.title} | ${j.label} | ${j.measured} | ${j.target} | ${verdict(j.pass)} |`);
  });
  if (skipped.length > 0) out.push('', `Not run this time (\`--only\`): ${skipped.join(', ')}.`);
  out.push(
    '',
    '## How to run',
    '',
    'From the repository root, after `pnpm install`:',
    '',
    '```bash',
    'pnpm bench            # builds, then every benchmark: about 40 minutes',
    'pnpm bench --quick    # the same comparisons, fewer and shorter runs: under 3 minutes',
    `pnpm bench --only keepalive,cpu   # a subset: ${suiteIds.join(', ')}`,
    '```',
    '',
    'It prints progress on stderr and rewrites this file. Every server runs in its own process on 127.0.0.1 ' +
      '(node:http, a `cluster` primary with its workers, a Forkyard primary with its children, and for the stream benchmarks ' +
      'the control plane in that primary\'s process, as `forkyard start` runs it) and is stopped at the end or on Ctrl-C. ' +
      'All of them serve the same handler, the engine\'s built demo app (`packages/engine/dist/demo-app`). ' +
      'The load comes from autocannon, run programmatically in a separate process; the idle connections, latency probes ' +
      'and stream clients run in the runner\'s own process. The stream benchmarks need the control plane built ' +
      '(`pnpm build`, not only the engine). Close other work first: the numbers are only as quiet as the machine.',
    '',
    '## Reading the numbers',
    '',
    `The load generator and the servers share the same ${m.cores} cores. At hello-world rates autocannon needs most of a core ` +
      'for itself, so absolute requests per second say more about this machine than about Forkyard; the ratio to the anchor, ' +
      'measured in the same run, is the number to read. The runs go in rounds: in each, every contender runs once, in turn, ' +
      'with the anchor run before the first, between every two and after the last, and the next round starts one contender ' +
      'further on. Each contender run is thus judged against the two anchor runs on either side of it, seconds apart: its ' +
      'req/s over their mean. This machine\'s slow phases last longer than one run, and a run compared with anchor runs a ' +
      'round away would measure the phase as much as the server. The table gives the median req/s and the range over runs, ' +
      'the median of those per-run ratios (targets are judged on it) and their range. A wide per-run range means a noisy ' +
      'machine: rerun before believing a small difference. p99 latency is the median of the ' +
      'runs\' p99. "CPU µs per request" is the CPU time (user and system, all threads, from /proc) the server process and ' +
      'the processes below it used during a run, divided by the requests answered, median over runs: for cluster, its primary ' +
      'and its workers; for Forkyard, the primary and its children with their threads. It tells where the time goes when the ' +
      'ratio misses (the load generator\'s own CPU is not in it). "wake-ups per request" counts, over the same processes and ' +
      'threads, the times one of them went to sleep of its own accord (voluntary context switches, from /proc): each is an ' +
      'event loop that waited in epoll and had to be woken, by a connection, a message from another process or thread, or a ' +
      'timer. Handing work from one event loop to another costs wake-ups that a single event loop saves, and on a virtual ' +
      'machine each costs microseconds of the kernel\'s time. The warm-up column gives how long the contender was ' +
      'loaded before its first run and its CPU per request in the first and the last warm-up slice: every V8 isolate ' +
      '(a cluster worker, a prefork child, a Forkyard child\'s listener and each of its threads) compiles the handler and ' +
      'Node\'s HTTP code on its own, so a server of many isolates takes longer to reach the figure it keeps, and a short ' +
      'fixed warm-up would measure its compiler instead of the server: with 64 isolates each gets a 64th of the load, and ' +
      'their CPU per request stays on a first plateau for tens of seconds before it falls to the figure they keep. "errors" counts socket errors, timeouts and non-2xx ' +
      'responses over all runs; a target with errors is a MISS whatever its ratio.',
  );
  sections.forEach((s, i) => {
    out.push('', `## ${i + 1}. ${s.title}`, '');
    const render = { latency: latencySection, frames: framesSection, idle: idleSection, stream: streamSection }[s.kind] ?? throughputSection;
    out.push(...render(s));
    out.push('', ...judge(s).map((j) => (j.pass === null ? `- ${j.label}: ${j.measured} (${j.target}, no target)` : `- Target: ${j.label} ${j.target} — measured ${j.measured}: ${verdict(j.pass)}`)));
  });
  return `${out.join('\n')}\n`;
}
