#!/usr/bin/env node
/**
 * `pnpm bench`: runs every benchmark in one invocation and writes docs/BENCHMARKS.md.
 *
 *   runner (this process) ──IPC──▶ load/main.mjs        autocannon, its own event loop
 *          │
 *          └──IPC──▶ servers/<contender>.mjs             one process per contender on 127.0.0.1
 *                     node-http │ cluster ─▶ 2 workers │ forkyard primary ─▶ children (─▶ threads)
 *
 * Progress goes to stderr. Every server process is stopped at the end, on error and on Ctrl-C.
 */

import { existsSync } from 'node:fs';
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoad } from './lib/load.mjs';
import { machine } from './lib/machine.mjs';
import { parseOptions } from './lib/options.mjs';
import { judge, renderReport } from './lib/report.mjs';
import { stopAll } from './lib/servers.mjs';
import { SUITES } from './suites/index.mjs';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENGINE_DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const startedAt = performance.now();

function log(msg) {
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
}

let load = null;
let interrupted = false;

async function shutdown() {
  await stopAll();
  await load?.close();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping every server process`);
    shutdown().finally(() => process.exit(130));
  });
}

async function main() {
  const opts = parseOptions(process.argv.slice(2), { repoRoot: REPO_ROOT, suiteIds: SUITES.map((s) => s.id) });
  if (!existsSync(ENGINE_DIST)) throw new Error(`${relative(process.cwd(), ENGINE_DIST)} is missing: build first (pnpm build), or run \`pnpm bench\` from the root`);
  const suites = opts.only ? SUITES.filter((s) => opts.only.includes(s.id)) : SUITES;
  const skipped = SUITES.filter((s) => !suites.includes(s)).map((s) => s.id);
  // Found missing now, not after minutes of other benchmarks.
  const missing = suites.flatMap((s) => (s.requires ?? []).filter((r) => !existsSync(r.path)).map((r) => `${s.id} needs ${relative(process.cwd(), r.path)}: ${r.hint}`));
  if (missing.length > 0) throw new Error(`${missing.join('; ')} (or leave those benchmarks out with --only)`);
  const m = machine(REPO_ROOT);
  const { plan } = opts;
  log(`${plan.name}: ${plan.runs} runs × ${plan.duration} s per contender; ${m.cpu}, ${m.cores} cores, Node ${m.node}, Forkyard ${m.commit}`);
  load = await startLoad();
  const ctx = { log, plan, load };
  const sections = [];
  for (const [i, suite] of suites.entries()) {
    log(`${i + 1}/${suites.length} ${suite.title}`);
    sections.push(await suite.run(ctx));
  }
  await shutdown();
  const report = renderReport({ machine: m, plan, loadgen: load.version, sections, skipped, suiteIds: SUITES.map((s) => s.id), loadavgEnd: os.loadavg() });
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, report);
  for (const s of sections) for (const j of judge(s)) log(`${j.pass === null ? 'INFO' : j.pass ? 'PASS' : 'MISS'}  ${s.title}: ${j.label}: ${j.measured} (target ${j.target})`);
  log(`wrote ${relative(process.cwd(), opts.out)}`);
}

main().catch(async (err) => {
  if (interrupted) return;
  log(`failed: ${err.stack ?? err}`);
  await shutdown();
  process.exit(1);
});
