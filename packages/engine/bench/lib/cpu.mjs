/**
 * CPU time of a server's process tree, from /proc: the server process itself (a primary) and
 * every process below it (children, cluster workers), each with all its threads. Linux counts
 * it in clock ticks of 10 ms (CLK_TCK 100), user and system time together.
 */

import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000;

/** User + system ticks of one thread, or 0 if it is gone. */
function taskTicks(path) {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after it are
    // read from the last ')'. utime and stime are fields 14 and 15.
    const stat = readFileSync(path, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function tasksOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function processTicks(pid) {
  let ticks = 0;
  for (const tid of tasksOf(pid)) ticks += taskTicks(`/proc/${pid}/task/${tid}/stat`);
  return ticks;
}

function childPids(pid) {
  const out = [];
  for (const tid of tasksOf(pid)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ').filter(Boolean).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** CPU used so far by `pid` and by all its descendants, in microseconds (a process that exited is no longer counted). */
export function treeCpu(pid) {
  let below = 0;
  const stack = childPids(pid);
  while (stack.length > 0) {
    const p = stack.pop();
    below += processTicks(p);
    stack.push(...childPids(p));
  }
  return { own: processTicks(pid) * TICK_US, below: below * TICK_US };
}

/** Runs one load job against the server process `pid`; its result gains `cpu`: CPU µs per request, own and below. */
export async function withCpu(pid, job) {
  const before = treeCpu(pid);
  const res = await job();
  const after = treeCpu(pid);
  const cpu = res.total > 0 ? { own: (after.own - before.own) / res.total, below: Math.max(0, after.below - before.below) / res.total } : null;
  return { ...res, cpu };
}
