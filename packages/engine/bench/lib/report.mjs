/** Renders docs/BENCHMARKS.md from the sections the suites return. Pure: data in, text out. */

const int = (v) => Math.round(v).toLocaleString('en-US');
const x2 = (v) => `${v.toFixed(2)}×`;
const ms1 = (v) => v.toFixed(1);

function verdict(pass) {
  return pass ? '**PASS**' : '**MISS**';
}

/** Each target, with what was measured and whether it holds; used by the summary and the sections. */
export function judge(section) {
  return section.targets.map((t) => {
    const row = section.rows.find((r) => r.key === t.key);
    if (section.kind === 'frames') {
      return { label: row.label, measured: `p95 ${ms1(row.p95)} ms`, target: `p95 ≤ ${t.value} ms (one 60 Hz frame)`, pass: row.frames > 0 && row.p95 <= t.value };
    }
    if (section.kind === 'latency') {
      return { label: row.label, measured: `p50 ${ms1(row.p50)} ms`, target: `p50 < ${t.value} ms`, pass: row.n > 0 && row.p50 < t.value };
    }
    const label = row.shape ? `${row.label} (${row.shape})` : row.label;
    return { label, measured: `${x2(row.ratio)} ${section.anchorLabel}`, target: `≥ ${t.value.toFixed(1)}×`, pass: row.ratio >= t.value && row.errors === 0 };
  });
}

function directivesLine(row) {
  const e = row.details?.effective;
  if (!e) return null;
  const list = Object.entries(e).map(([k, v]) => `${k} ${v}`).join(', ');
  const kids = row.info ? `; ${row.info.children} ${row.info.children === 1 ? 'child' : 'children'} alive after the runs` : '';
  return `- ${row.label}: ${list}${kids}`;
}

function throughputSection(s) {
  const out = [
    s.intro,
    '',
    `| Contender | Shape | req/s (median) | min – max | × ${s.anchorLabel} | per-run ratio | p99 latency (ms) | errors |`,
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of s.rows) {
    const anchor = r.key === 'anchor';
    out.push(
      `| ${r.label} | ${r.shape ?? '—'} | ${int(r.median)} | ${int(r.min)} – ${int(r.max)} | ${anchor ? '1.00× (anchor)' : x2(r.ratio)} | ${anchor ? '—' : `${x2(r.paired.min)} – ${x2(r.paired.max)}`} | ${r.p99} | ${r.errors} |`,
    );
  }
  const lines = s.rows.map(directivesLine).filter(Boolean);
  if (lines.length > 0) out.push('', 'Effective directives (after httpd\'s adjustments):', '', ...lines);
  return out;
}

function framesSection(s) {
  const out = [s.intro];
  if (s.rows.length === 0) return out;
  out.push('', '| Page | frames | fps | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | canvas paint p95 (ms) | store update p95 (ms) |', '|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of s.rows) out.push(`| ${r.label} | ${r.frames} | ${r.fps} | ${ms1(r.p50)} | ${ms1(r.p95)} | ${ms1(r.p99)} | ${ms1(r.max)} | ${r.paintP95 ?? '—'} | ${r.storeP95 ?? '—'} |`);
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

export function renderReport({ machine: m, plan, loadgen, sections, skipped, loadavgEnd }) {
  const busy = Math.max(m.loadavg[0], loadavgEnd[0]) > m.cores;
  const out = [
    '# Benchmarks',
    '',
    `Written by \`pnpm bench${plan.name === 'quick' ? ' --quick' : ''}\` on ${m.date} from Forkyard ${m.commit}: ` +
      `${plan.runs} runs of ${plan.duration} s per contender, alternating between contenders, each contender warmed up for ${plan.warmup} s before its first run` +
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
    `| Load average (1, 5, 15 min) | ${m.loadavg.map((v) => v.toFixed(2)).join(' ')} at start, ${loadavgEnd.map((v) => v.toFixed(2)).join(' ')} at the end |`,
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
    'pnpm bench            # builds, then every benchmark: about 8 minutes',
    'pnpm bench --quick    # the same comparisons, fewer and shorter runs: under 3 minutes',
    'pnpm bench --only keepalive,cpu   # a subset: keepalive, close, cpu, child-ready',
    '```',
    '',
    'It prints progress on stderr and rewrites this file. Every server runs in its own process on 127.0.0.1 ' +
      '(node:http, a `cluster` primary with its workers, a Forkyard primary with its children) and is stopped at the end or on Ctrl-C. ' +
      'All of them serve the same handler, the engine\'s built demo app (`packages/engine/dist/demo-app`). ' +
      'The load comes from autocannon, run programmatically in a separate process. Close other work first: ' +
      'the numbers are only as quiet as the machine.',
    '',
    '## Reading the numbers',
    '',
    `The load generator and the servers share the same ${m.cores} cores. At hello-world rates autocannon needs most of a core ` +
      'for itself, so absolute requests per second say more about this machine than about Forkyard; the ratio to the anchor, ' +
      'measured in the same run, is the number to read. Each contender runs several times, alternating with the others; ' +
      'the table gives the median req/s and the range over runs, the ratio of medians to the anchor (targets are judged on ' +
      'it), and the range of per-run ratios (run r of a contender against run r of the anchor, measured a few seconds apart). ' +
      'A wide per-run range means a noisy machine: rerun before believing a small difference. p99 latency is the median of the ' +
      'runs\' p99. "errors" counts socket errors, timeouts and non-2xx responses over all runs; a target with errors is a MISS ' +
      'whatever its ratio.',
  );
  sections.forEach((s, i) => {
    out.push('', `## ${i + 1}. ${s.title}`, '');
    out.push(...(s.kind === 'latency' ? latencySection(s) : s.kind === 'frames' ? framesSection(s) : throughputSection(s)));
    out.push('', ...judge(s).map((j) => `- Target: ${j.label} ${j.target} — measured ${j.measured}: ${verdict(j.pass)}`));
  });
  return `${out.join('\n')}\n`;
}
