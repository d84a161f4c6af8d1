/**
 * The bench's per-request figures from /proc (bench/lib/cpu.mjs withCpu): CPU µs and wake-ups
 * per request over a server's process tree, here a child process that sleeps or spins.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { withCpu } from '../../bench/lib/cpu.mjs';

/** A child that runs `code` once it has said it is up; killed at the end of the test. */
async function child(t, code) {
  const proc = spawn(process.execPath, ['-e', `process.stdout.write('up\\n'); ${code}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => proc.kill('SIGKILL'));
  await once(proc.stdout, 'data');
  return proc;
}

test('a process that sleeps and is woken 50 times in a job counts at least 50 wake-ups', async (t) => {
  const proc = await child(t, 'setInterval(() => {}, 10);');
  // One "request" per 10 ms tick: each tick is one wake-up of the child's event loop.
  const res = await withCpu(proc.pid, async () => {
    await sleep(500);
    return { total: 50 };
  });
  assert.ok(res.wakes >= 0.9, `wake-ups per tick ${res.wakes}`);
  assert.ok(res.cpu.own > 0, 'the child used some CPU');
});

test('a process that spins without sleeping counts far fewer wake-ups, and its CPU', async (t) => {
  const proc = await child(t, 'for (;;) {}');
  const res = await withCpu(proc.pid, async () => {
    await sleep(500);
    return { total: 50 };
  });
  assert.ok(res.wakes < 0.5, `wake-ups per "request" ${res.wakes}`);
  // 500 ms of one core over 50 "requests": about 10,000 µs each; generous for a busy machine.
  assert.ok(res.cpu.own > 2000, `CPU µs per "request" ${res.cpu.own}`);
});

test('a job that answered nothing has no per-request figures', async (t) => {
  const proc = await child(t, 'setInterval(() => {}, 10);');
  const res = await withCpu(proc.pid, async () => ({ total: 0 }));
  assert.equal(res.cpu, null);
  assert.equal(res.wakes, null);
});
