/**
 * Coordinated omission: the server stops answering for one second in the middle of a 4-second
 * run. The open loop keeps its arrival rate and measures from each request's intended send time,
 * so every request due during the stall shows it: p99 near a second. The closed loop waits
 * with the server: only its few in-flight requests see the stall (its max does), and its p99
 * stays far below the open loop's.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startLoadTest, type LoadTestResult } from '@forkyard/loadgen';
import { answer, startTestServer } from './helpers.js';

const STALL_AFTER_MS = 1_500;
const STALL_MS = 1_000;

/** A server that answers at once, except from 1.5 s to 2.5 s after its first request. */
async function stallingServer() {
  let first = 0;
  return startTestServer((_req, res) => {
    const now = Date.now();
    if (first === 0) first = now;
    const stallEnd = first + STALL_AFTER_MS + STALL_MS;
    if (now >= first + STALL_AFTER_MS && now < stallEnd) setTimeout(() => answer(res), stallEnd - now);
    else answer(res);
  });
}

async function run(spec: object): Promise<LoadTestResult> {
  const server = await stallingServer();
  const result = await startLoadTest(spec, { target: server.url }).done;
  await server.close();
  return result;
}

test('a one-second stall is in the open loop p99 but not in the closed loop p99', { timeout: 25_000 }, async () => {
  const open = await run({ scenario: 'hello', mode: 'open', rate: 200, connections: 50, durationSeconds: 4 });
  const closed = await run({ scenario: 'hello', mode: 'closed', connections: 4, durationSeconds: 4 });
  const o = open.summary.latencyMs;
  const c = closed.summary.latencyMs;
  assert.ok(o && c);
  const figures = `open p50 ${o.p50} p99 ${o.p99} max ${o.max} (${open.summary.requests} req); closed p50 ${c.p50} p99 ${c.p99} max ${c.max} (${closed.summary.requests} req)`;

  // Both runs really met the stall …
  assert.ok(o.max >= 900, `open max: ${figures}`);
  assert.ok(c.max >= 900, `closed max: ${figures}`);
  // … the open loop reports it where it matters …
  assert.ok(o.p99 >= 500, `open p99: ${figures}`);
  assert.ok(open.summary.requests >= 700, `open loop kept its rate: ${figures}`);
  // … and the closed loop hides it in its percentiles.
  assert.ok(c.p99 * 4 < o.p99, `closed p99 far below open p99: ${figures}`);
  assert.ok(closed.summary.requests > 4 * 200, `closed loop: ${figures}`);
  assert.equal(open.summary.errors + closed.summary.errors, 0);

  // The open loop's second that held the stall shows it on the timeline too.
  const worst = Math.max(...open.timeline.map((s) => s.latencyMs?.p99 ?? 0));
  assert.ok(worst >= 500, `open timeline p99s: ${open.timeline.map((s) => s.latencyMs?.p99).join(', ')}`);
  console.log(`# ${figures}`);
});
