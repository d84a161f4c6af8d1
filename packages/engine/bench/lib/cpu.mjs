/**
 * CPU time of a server's process tree, from /proc: the server process itself (a primary) and
 * every process below it (children, cluster workers), each with all its threads. Read from each
 * thread's schedstat (nanoseconds on the CPU, exact) where the kernel keeps it; else from its
 * stat, in clock ticks of 10 ms (CLK_TCK 100), which charge a whole tick to whichever thread
 * runs when it falls and so overstate threads that wake often and briefly (a pool at rest).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICK_US = 10_000;

/** Microseconds one thread has run (user and system), or 0 if it is gone. */
function taskUs(path) {
  try {
    return Number(readFileSync(`${path}/schedstat`, 'latin1').split(' ')[0]) / 1000;
  } catch {
    // no schedstat (kernel without CONFIG_SCHED_INFO), or the thread is gone
  }
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after it are
    // read from the last ')'. utime and stime are fields 14 and 15.
    const stat = readFileSync(`${path}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
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

/**
 * Times one thread has gone to sleep of its own accord (voluntary context switches: waiting in
 * epoll for its next event, on a lock), each ended by a wake-up; 0 if it is gone.
 */
function taskWakes(path) {
  try {
    const m = /^voluntary_ctxt_switches:\s*(\d+)/m.exec(readFileSync(`${path}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `perTask` summed over every thread of `pid`. */
function processSum(pid, perTask) {
  let n = 0;
  for (const tid of tasksOf(pid)) n += perTask(`/proc/${pid}/task/${tid}`);
  return n;
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

/** `perTask` summed over `pid`'s threads (own) and over all its descendants' (below). */
function treeSum(pid, perTask) {
  let below = 0;
  const stack = childPids(pid);
  while (stack.length > 0) {
    const p = stack.pop();
    below += processSum(p, perTask);
    stack.push(...childPids(p));
  }
  return { own: processSum(pid, perTask), below };
}

/** CPU used so far by `pid` and by all its descendants, in microseconds (a process that exited is no longer counted). */
export const treeCpu = (pid) => treeSum(pid, taskUs);

/**
 * Runs one load job against the server process `pid`; its result gains `cpu`: CPU µs per
 * request, own and below, and `wakes`: wake-ups per request over the whole tree (every thread's
 * voluntary context switches: each time an event loop slept and something had to wake it).
 */
export async function withCpu(pid, job) {
  const before = treeCpu(pid);
  const wakesBefore = treeSum(pid, taskWakes);
  const res = await job();
  const after = treeCpu(pid);
  const wakesAfter = treeSum(pid, taskWakes);
  const cpu = res.total > 0 ? { own: (after.own - before.own) / res.total, below: Math.max(0, after.below - before.below) / res.total } : null;
  const woke = wakesAfter.own + wakesAfter.below - wakesBefore.own - wakesBefore.below;
  return { ...res, cpu, wakes: res.total > 0 ? Math.max(0, woke) / res.total : null };
}

const SETTLE_WINDOW_MS = 200;
/** CPU a settle window may use above the resting figure and still count as rest. */
const SETTLE_SLACK_US = 10_000;

const treesCpu = (pids) => pids.reduce((n, pid) => {
  const t = treeCpu(pid);
  return n + t.own + t.below;
}, 0);

/** CPU µs the processes `pids` and everything below them use per settle window at rest (over a second, after a second's pause). */
async function restingCpu(pids) {
  await sleep(1000);
  const before = treesCpu(pids);
  await sleep(1000);
  return ((treesCpu(pids) - before) * SETTLE_WINDOW_MS) / 1000;
}

/**
 * Waits until the processes `pids` and everything below them are back at rest: no more than
 * `resting` (restingCpu) plus 10 ms of CPU over a SETTLE_WINDOW_MS window, twice in a row, or
 * `maxMs` at most. A run that starts right after another inherits what that one left behind
 * (64 processes collecting their garbage, closes still being told): this keeps it off the next
 * contender. Resolves with how long it waited.
 */
async function settle(pids, resting, maxMs) {
  const started = Date.now();
  let quiet = 0;
  let last = treesCpu(pids);
  while (quiet < 2 && Date.now() - started < maxMs) {
    await sleep(SETTLE_WINDOW_MS);
    const now = treesCpu(pids);
    quiet = now - last <= resting + SETTLE_SLACK_US ? quiet + 1 : 0;
    last = now;
  }
  return Date.now() - started;
}

/**
 * What runs against the servers `pids` wait for before they start: measures the servers at
 * rest once, then `settle()` waits for them to be back at rest (at most `maxMs`). With `maxMs`
 * 0 (the quick run) nothing is measured and runs start at once. `resting` is null then.
 */
export async function settler(pids, maxMs) {
  if (maxMs <= 0) return { resting: null, settle: async () => 0 };
  const resting = await restingCpu(pids);
  return { resting, settle: () => settle(pids, resting, maxMs) };
}
