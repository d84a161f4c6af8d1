/** Command line: `--quick`, `--only <id,…>`, `--out <file>`. */

import { resolve } from 'node:path';

export const PLANS = {
  // warmup: seconds per warm-up slice; warmupSlices: the most slices once every isolate has
  // served its share, warmupMaxSlices: the most in all (lib/warmup.mjs);
  // settleMaxMs: the longest a run waits for the machine to be back at rest (lib/cpu.mjs).
  full: { name: 'full', runs: 5, duration: 6, warmup: 2, warmupSlices: 8, warmupMaxSlices: 75, settleMaxMs: 3000, spawns: 20 },
  quick: { name: 'quick', runs: 2, duration: 0.75, warmup: 0.5, warmupSlices: 1, warmupMaxSlices: 1, settleMaxMs: 0, spawns: 6 },
};

export function parseOptions(argv, { repoRoot, suiteIds }) {
  const opts = { plan: PLANS.full, only: null, out: resolve(repoRoot, 'docs/BENCHMARKS.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.plan = PLANS.quick;
    else if (a === '--only') opts.only = String(argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') opts.out = resolve(process.cwd(), String(argv[++i] ?? ''));
    else if (a === '--help' || a === '-h') {
      process.stderr.write(`usage: pnpm bench [--quick] [--only ${suiteIds.join(',')}] [--out docs/BENCHMARKS.md]\n`);
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  const unknown = (opts.only ?? []).filter((id) => !suiteIds.includes(id));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}: use ${suiteIds.join(', ')}`);
  return opts;
}
