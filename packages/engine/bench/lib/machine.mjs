/** What the numbers were measured on: they mean nothing without it. */

import { execFileSync } from 'node:child_process';
import os from 'node:os';

function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machine(repoRoot) {
  const cpus = os.cpus();
  const commit = git(['rev-parse', '--short', 'HEAD'], repoRoot) ?? 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], repoRoot);
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    commit: dirty ? `${commit} (with uncommitted changes)` : commit,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadavg: os.loadavg(),
  };
}
