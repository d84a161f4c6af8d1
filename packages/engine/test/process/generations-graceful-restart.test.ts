/**
 * Graceful restart (httpd SIGUSR1): both generations go up by one while RestartTime and Total
 * Accesses carry on; a request in flight finishes on its old child, which shows `G`/`W` and
 * quiesces while new-generation children already serve; the old child then exits with reason
 * 'generation', and the promise resolves only once it is gone. A kept-alive connection to an
 * old prefork child gets its next request answered with `Connection: close`.
 *
 * The request in flight is a POST /echo whose body the test finishes only after it has seen
 * both generations side by side: a timed /sleep could end first on a loaded machine, where
 * forking the new generation can take longer than the sleep.
 * (reference/apache-mpm.md §4.6, §6.2, §8.4 item 13)
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, test } from 'node:test';
import type { ChildExitEvent, Pool, ScoreboardImage } from '@forkyard/engine';
import { get, isAlive, keepAliveAgent, poolAuto, startPoolObserved, waitFor, type Reply } from './helpers.js';

const agents: http.Agent[] = [];
after(() => agents.forEach((a) => a.destroy()));

const pidOf = (body: string): number => Number(body.split(' ')[0]);

/** A request on `agent`'s connection, noting the local port as soon as the response starts. */
function getOn(port: number, path: string, agent: http.Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { connection: 'keep-alive' } }, (res) => {
      const socketPort = res.socket.localPort ?? 0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socketPort }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

const HELD_BODY = 'first half|second half';

/** A POST /echo the test holds open: half the body now, the rest when `finish()` is called. */
function heldRequest(port: number): { finish: () => void; reply: Promise<Reply> } {
  const body = HELD_BODY;
  const cut = body.indexOf('|') + 1;
  let finish: () => void = () => undefined;
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/echo', method: 'POST', agent: false, headers: { 'content-type': 'text/plain', 'content-length': body.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, socketPort: 0 }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('POST /echo timed out')));
    req.on('error', reject);
    req.write(body.slice(0, cut));
    finish = () => req.end(body.slice(cut));
  });
  return { finish, reply };
}

/** The slot whose (first matching) thread is serving `path`, with that thread's index. */
function slotServing(image: ScoreboardImage, path: string): { slot: number; thread: number } | null {
  for (let slot = 0; slot < image.processes.length; slot++) {
    if (image.processes[slot]!.pid === 0) continue;
    const t = image.workers[slot]!.findIndex((w) => w.request.includes(path) && (w.status === 'W' || w.status === 'G'));
    if (t >= 0) return { slot, thread: t };
  }
  return null;
}

function liveOfGeneration(image: ScoreboardImage, generation: number): number[] {
  return image.processes.filter((p) => p.pid !== 0 && p.generation === generation).map((p) => p.pid);
}

interface Observed {
  exits: ChildExitEvent[];
  exitAt: Map<number, number>;
}

function observe(pool: Pool, o: Observed): void {
  pool.on('exit', (e) => {
    o.exits.push(e);
    o.exitAt.set(e.pid, Date.now());
  });
}

/** A few requests so that Total Accesses is not 0 before the restart. */
async function warmUp(port: number): Promise<void> {
  for (let i = 0; i < 5; i++) assert.equal((await get(port, '/')).status, 200);
}

test('prefork: graceful restart keeps counters, finishes the in-flight request, closes a kept-alive connection after its next request', { timeout: 40_000 }, async () => {
  const o: Observed = { exits: [], exitAt: new Map() };
  const { pool, port } = await startPoolObserved(
    { mpm: 'prefork', directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, KeepAliveTimeout: 30 } },
    (p) => observe(p, o),
  );
  await warmUp(port);

  // An idle kept-alive connection held by one old child …
  const agent = keepAliveAgent();
  agents.push(agent);
  const first = await getOn(port, '/pid', agent);
  assert.equal(first.status, 200);
  assert.match(String(first.headers['keep-alive'] ?? ''), /timeout=30/, 'the connection stays open');
  const keptPid = pidOf(first.body);

  // … and a request in flight on another.
  const held = heldRequest(port);
  const busy = await waitFor('the POST /echo in flight', () => slotServing(pool.snapshot(), 'POST /echo'), 5_000);
  const busyPid = pool.snapshot().processes[busy.slot]!.pid;
  assert.notEqual(busyPid, keptPid, 'prefork: the kept-alive child cannot take a second connection');

  // Children report their slots in batches: wait until the warm-up traffic is counted.
  const before = await waitFor('the warm-up traffic counted', () => {
    const auto = poolAuto(pool);
    return Number(auto['Total Accesses']) >= 6 ? auto : null;
  }, 5_000);
  const gen0 = pool.generation;
  const oldPids = liveOfGeneration(pool.snapshot(), gen0);
  assert.ok(oldPids.includes(busyPid) && oldPids.includes(keptPid), `old children: ${oldPids.join(', ')}`);

  let resolvedAt = 0;
  const restarting = pool.gracefulRestart().then((r) => ((resolvedAt = Date.now()), r));
  assert.equal(pool.changing, true, 'the restart is rolling');

  // While the old child still serves: it quiesces (G or W), and new children serve beside it.
  const during = await waitFor(
    'the busy old child quiescing next to new-generation children',
    () => {
      const image = pool.snapshot();
      const p = image.processes[busy.slot]!;
      const status = image.workers[busy.slot]![0]!.status;
      const fresh = liveOfGeneration(image, gen0 + 1);
      return p.pid === busyPid && p.quiescing && (status === 'G' || status === 'W') && fresh.length > 0 ? { image, status, fresh } : null;
    },
    20_000,
    20,
  );
  assert.equal(isAlive(busyPid), true, 'the old child still runs while the new generation serves');
  assert.ok(during.fresh.every((pid) => !oldPids.includes(pid)), 'new children are new processes');
  const mid = poolAuto(pool);
  assert.equal(Number(mid.ParentServerConfigGeneration), Number(before.ParentServerConfigGeneration) + 1);
  assert.equal(Number(mid.ParentServerMPMGeneration), Number(before.ParentServerMPMGeneration) + 1);
  assert.ok(Number(mid.GracefulWorkers) >= 1, `the old busy child counts as graceful: ${mid.Scoreboard}`);

  // The kept-alive connection: its old child was told to go; the next request is served, then closed.
  await waitFor('the kept-alive child told to go', () => {
    const image = pool.snapshot();
    const slot = image.processes.findIndex((p) => p.pid === keptPid);
    return slot >= 0 && image.processes[slot]!.quiescing;
  }, 20_000, 20);
  const next = await getOn(port, '/pid', agent);
  assert.equal(next.status, 200);
  assert.equal(next.socketPort, first.socketPort, 'the same connection');
  assert.equal(pidOf(next.body), keptPid, 'served by the old child');
  assert.equal(next.headers.connection, 'close');

  // The request in flight completes on its old child.
  held.finish();
  const echoed = await held.reply;
  assert.equal(echoed.status, 200);
  assert.equal(echoed.body, HELD_BODY);

  const result = await restarting;
  assert.equal(result.newGeneration, true);
  assert.equal(pool.changing, false);
  for (const pid of [busyPid, keptPid]) {
    const exit = o.exits.find((e) => e.pid === pid);
    assert.equal(exit?.reason, 'generation', `old child ${pid} exits for the new generation`);
    assert.ok(o.exitAt.get(pid)! <= resolvedAt, 'the promise resolves after the old child is gone');
    assert.equal(isAlive(pid), false);
  }
  assert.deepEqual(
    o.exits.filter((e) => e.generation === gen0).map((e) => e.reason),
    Array(o.exits.filter((e) => e.generation === gen0).length).fill('generation'),
  );
  assert.deepEqual(liveOfGeneration(pool.snapshot(), gen0), [], 'no old-generation child is left');

  const afterAuto = poolAuto(pool);
  assert.equal(afterAuto.RestartTime, before.RestartTime, 'RestartTime carries on');
  assert.ok(Number(afterAuto['Total Accesses']) >= Number(before['Total Accesses']), `Total Accesses not reset: ${before['Total Accesses']} → ${afterAuto['Total Accesses']}`);
  assert.equal(pool.generation, gen0 + 1);
  assert.equal((await get(port, '/')).status, 200, 'the new generation serves');
});

test('event: graceful restart keeps counters; the old process finishes its request as Stopping: 1 beside the new one', { timeout: 40_000 }, async () => {
  const o: Observed = { exits: [], exitAt: new Map() };
  const { pool, port } = await startPoolObserved(
    {
      mpm: 'event',
      directives: { StartServers: 1, ThreadsPerChild: 4, ServerLimit: 8, MaxRequestWorkers: 16, MinSpareThreads: 1, MaxSpareThreads: 8 },
    },
    (p) => observe(p, o),
  );
  await warmUp(port);

  const held = heldRequest(port);
  const busy = await waitFor('the POST /echo in flight', () => slotServing(pool.snapshot(), 'POST /echo'), 5_000);
  const busyPid = pool.snapshot().processes[busy.slot]!.pid;

  const before = await waitFor('the warm-up traffic counted', () => {
    const auto = poolAuto(pool);
    return Number(auto['Total Accesses']) >= 5 ? auto : null;
  }, 5_000);
  const gen0 = pool.generation;
  const oldPids = liveOfGeneration(pool.snapshot(), gen0);

  let resolvedAt = 0;
  const restarting = pool.gracefulRestart().then((r) => ((resolvedAt = Date.now()), r));

  const during = await waitFor(
    'the old process stopping next to a new-generation one',
    () => {
      const image = pool.snapshot();
      const auto = poolAuto(pool);
      const p = image.processes[busy.slot]!;
      const status = image.workers[busy.slot]![busy.thread]!.status;
      const fresh = liveOfGeneration(image, gen0 + 1);
      return p.pid === busyPid && p.quiescing && (status === 'G' || status === 'W') && fresh.length > 0 && auto.Stopping === '1' ? { auto, fresh } : null;
    },
    20_000,
    20,
  );
  assert.equal(isAlive(busyPid), true, 'the old child still runs while the new generation serves');
  assert.ok(during.fresh.every((pid) => !oldPids.includes(pid)), 'new children are new processes');
  assert.ok(Number(during.auto.Processes) >= 2, `Processes counts the old and the new: ${during.auto.Processes}`);
  assert.equal(Number(during.auto.ParentServerConfigGeneration), Number(before.ParentServerConfigGeneration) + 1);
  assert.equal(Number(during.auto.ParentServerMPMGeneration), Number(before.ParentServerMPMGeneration) + 1);

  // The request in flight completes on its old child.
  held.finish();
  const echoed = await held.reply;
  assert.equal(echoed.status, 200);
  assert.equal(echoed.body, HELD_BODY);

  const result = await restarting;
  assert.equal(result.newGeneration, true);
  const exit = o.exits.find((e) => e.pid === busyPid);
  assert.equal(exit?.reason, 'generation');
  assert.ok(o.exitAt.get(busyPid)! <= resolvedAt, 'the promise resolves after the old child is gone');
  assert.equal(isAlive(busyPid), false);
  assert.deepEqual(liveOfGeneration(pool.snapshot(), gen0), [], 'no old-generation child is left');

  const afterAuto = poolAuto(pool);
  assert.equal(afterAuto.Stopping, '0');
  assert.equal(afterAuto.RestartTime, before.RestartTime, 'RestartTime carries on');
  assert.ok(Number(afterAuto['Total Accesses']) >= Number(before['Total Accesses']), `Total Accesses not reset: ${before['Total Accesses']} → ${afterAuto['Total Accesses']}`);
  assert.equal((await get(port, '/')).status, 200, 'the new generation serves');
});
