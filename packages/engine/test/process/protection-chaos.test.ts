/**
 * Chaos: under a steady load, a random child is killed with SIGKILL every 2 s. Only requests
 * that could have been on a killed child fail; the pool is back at its spare levels within two
 * maintenance passes of every kill; nothing is left running after stop.
 *
 * The load: three keep-alive clients (one connection each, `/pid` then `/sleep?ms=40` in turn)
 * and one client opening a connection per request (`/pid`). Every request and its outcome is
 * recorded.
 *
 * Which requests may fail (the bound). A connection lives in one child for its whole life, so a
 * kill can only break requests on connections that child holds:
 *   - a request on a kept-alive connection whose last `/pid` answer named the killed child,
 *     if it had not finished when the kill came (in flight, or sent into the dead connection
 *     before the client saw it close);
 *   - a request on a connection whose child is not known yet (a fresh one), if it was in flight
 *     at the kill or started before the primary reaped the child: until then the primary may
 *     still hand it a new connection (it retries elsewhere only when the hand-over itself fails).
 * (A request here takes milliseconds: one that started more than a kill interval before a kill
 * is not counted as exposed to it.) Every failure must be one of those for some kill, so
 * failures ≤ their number; and it must end within CUT_WITHIN_MS of that kill's reap — the
 * connection is cut, not left hanging with no one serving it. A request on a connection known
 * to belong to a surviving child must never fail.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { ChildExitEvent, Pool } from '@forkyard/engine';
import { childrenOf, procStat, sleep, startPoolObserved, stillRunning, stopPool, waitFor, type ProcStat } from './helpers.js';

const LOAD_MS = 20_000;
const KILL_EVERY_MS = 2000;
const MAINTENANCE_MS = 500;
/** Two maintenance passes, and slack for a loaded machine's timers. */
const RECOVER_WITHIN_MS = 2 * MAINTENANCE_MS + 1500;
/** A request on a killed child's connection ends (reset or closed) this soon after the reap. */
const CUT_WITHIN_MS = 5000;

interface Req {
  start: number;
  end: number;
  /** The child the connection was known to belong to when the request was sent (null: not known yet). */
  conn: number | null;
  ok: boolean;
  error?: string;
}

interface Kill {
  pid: number;
  at: number;
  reapedAt: number;
  exit?: ChildExitEvent;
}

function request(port: number, path: string, agent: http.Agent | false, socketPid: WeakMap<Socket, number>, log: Req[]): Promise<void> {
  return new Promise((resolve) => {
    const r: Req = { start: Date.now(), end: 0, conn: null, ok: false };
    let socket: Socket | null = null;
    log.push(r);
    const done = (ok: boolean, error?: string): void => {
      if (r.end) return;
      r.end = Date.now();
      r.ok = ok;
      if (error) r.error = error;
      resolve();
    };
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: agent ? { connection: 'keep-alive' } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('error', (err) => done(false, err.message));
      res.on('end', () => {
        if (res.statusCode !== 200) return done(false, `status ${res.statusCode}`);
        if (path === '/pid' && socket) socketPid.set(socket, Number(body.split(' ')[0]));
        done(true);
      });
    });
    req.on('socket', (s: Socket) => {
      socket = s;
      r.conn = socketPid.get(s) ?? null;
    });
    req.setTimeout(15_000, () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
  });
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Idle workers as maintenance counts them: starting or ready, in live children. */
function idleWorkers(pool: Pool): number {
  const image = pool.snapshot();
  let idle = 0;
  image.processes.forEach((p, i) => {
    if (p.pid === 0 || p.quiescing) return;
    for (const w of image.workers[i]!) if (w.status === '_' || w.status === 'S') idle++;
  });
  return idle;
}

const CASES = [
  {
    mpm: 'prefork',
    directives: { StartServers: 5, MinSpareServers: 3, MaxSpareServers: 10, MaxRequestWorkers: 20 },
    minSpare: 3,
  },
  {
    mpm: 'event',
    directives: { StartServers: 3, ThreadsPerChild: 4, MinSpareThreads: 10, MaxSpareThreads: 20, MaxRequestWorkers: 40 },
    minSpare: 10,
  },
] as const;

for (const c of CASES) {
  test(`${c.mpm}: kill -9 of a random child every 2 s under load fails only requests on the killed children`, { timeout: 90_000 }, async (t) => {
    const spawned: ProcStat[] = [];
    const exits: ChildExitEvent[] = [];
    const exitTimes = new Map<number, number>();
    const { pool, port } = await startPoolObserved({ mpm: c.mpm, directives: { ...c.directives, MaintenanceInterval: MAINTENANCE_MS } }, (p) => {
      p.on('spawn', (e) => {
        const s = procStat(e.pid);
        if (s) spawned.push(s);
      });
      p.on('exit', (e) => {
        exits.push(e);
        exitTimes.set(e.pid, Date.now());
      });
    });

    // Idle samples, to see how soon the pool is back at its spare levels after each kill.
    const samples: Array<{ at: number; idle: number }> = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), idle: idleWorkers(pool) }), 20);

    const log: Req[] = [];
    const socketPid = new WeakMap<Socket, number>();
    let loading = true;
    const agents = [0, 1, 2].map(() => new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60_000 }));
    const clients = [
      ...agents.map(async (agent) => {
        for (let i = 0; loading; i++) await request(port, i % 2 === 0 ? '/pid' : '/sleep?ms=40', agent, socketPid, log);
      }),
      (async () => {
        while (loading) await request(port, '/pid', false, socketPid, log);
      })(),
    ];

    const kills: Kill[] = [];
    const t0 = Date.now();
    try {
      for (let i = 1; i * KILL_EVERY_MS <= LOAD_MS; i++) {
        await sleep(t0 + i * KILL_EVERY_MS - Date.now());
        const pids = pool.snapshot().processes.map((p) => p.pid).filter((pid) => pid !== 0);
        const pid = pids[Math.floor(Math.random() * pids.length)]!;
        assert.notEqual(pid, process.pid, 'never the primary');
        kills.push({ pid, at: Date.now(), reapedAt: 0 });
        process.kill(pid, 'SIGKILL');
        // The last kill ends the load.
        if (i * KILL_EVERY_MS + KILL_EVERY_MS > LOAD_MS) loading = false;
      }
      loading = false;
      await Promise.all(clients);
      for (const k of kills) {
        k.exit = await waitFor(`the exit of killed child ${k.pid}`, () => exits.find((e) => e.pid === k.pid), 10_000);
      }
    } finally {
      loading = false;
      for (const a of agents) a.destroy();
    }
    // Reaped: the 'exit' event, recorded when it came.
    for (const k of kills) k.reapedAt = exitTimes.get(k.pid) ?? 0;

    // The pool is back at its spare levels after the last kill, and ready children take over.
    const last = kills[kills.length - 1]!;
    await waitFor('the spare levels after the last kill', () => samples.some((s) => s.at >= last.reapedAt && s.idle >= c.minSpare), RECOVER_WITHIN_MS + 5000);
    clearInterval(sampler);
    const readyIdle = await waitFor('ready idle workers at the spare level', () => {
      const image = pool.snapshot();
      let n = 0;
      image.processes.forEach((p, i) => p.pid !== 0 && image.workers[i]!.forEach((w) => (n += w.status === '_' ? 1 : 0)));
      return n >= c.minSpare ? n : null;
    }, 15_000);

    const recoveries = kills.map((k) => {
      const back = samples.find((s) => s.at >= k.reapedAt && s.idle >= c.minSpare);
      return back ? back.at - k.reapedAt : Infinity;
    });

    // Every failure is a request that could have been on a killed child.
    const exposedTo = (r: Req, k: Kill): boolean =>
      r.end >= k.at && r.start >= k.at - KILL_EVERY_MS && (r.conn === k.pid || (r.conn === null && r.start <= k.reapedAt));
    const exposed = new Set(log.filter((r) => kills.some((k) => exposedTo(r, k))));
    const failures = log.filter((r) => !r.ok);
    const unexplained = failures.filter((r) => !kills.some((k) => exposedTo(r, k) && r.end <= k.reapedAt + CUT_WITHIN_MS));
    const figures = {
      requests: log.length,
      failures: failures.length,
      kills: kills.length,
      bound: exposed.size,
      recoveryMs: recoveries,
      readyIdle,
      errors: [...new Set(failures.map((f) => f.error))],
    };
    t.diagnostic(JSON.stringify(figures));
    t.diagnostic(`kills (ms from start): ${kills.map((k) => `${k.pid}@${k.at - t0}..${k.reapedAt - t0}`).join(' ')}`);
    for (const f of failures) t.diagnostic(`failed: ${f.start - t0}..${f.end - t0} ms on ${f.conn ?? 'a fresh connection'}: ${f.error}`);

    await stopPool(pool);

    assert.ok(kills.length >= LOAD_MS / KILL_EVERY_MS - 1, `children were killed: ${kills.length}`);
    for (const k of kills) assert.equal(k.exit!.signal, 'SIGKILL', `child ${k.pid} died of the kill`);
    assert.ok(log.length >= 200, `the load ran: ${log.length} requests`);
    assert.deepEqual(
      unexplained.map((r) => ({ ...r, start: r.start - t0, end: r.end - t0 })),
      [],
      `every failed request was on a killed child's connection and was cut off soon after the kill (${JSON.stringify(figures)})`,
    );
    assert.ok(failures.length <= exposed.size);
    for (const [i, ms] of recoveries.entries()) {
      assert.ok(ms <= RECOVER_WITHIN_MS, `back at ${c.minSpare} idle within two maintenance passes of kill ${i + 1}: ${ms} ms`);
    }
    // No child left behind: every process the pool ever forked is gone.
    assert.deepEqual(spawned.filter(stillRunning).map((s) => s.pid), [], 'every child ever forked has exited');
    const forkyardChildren = childrenOf(process.pid).filter((s) => cmdline(s.pid).includes('child/main.js'));
    assert.deepEqual(forkyardChildren.map((s) => s.pid), [], 'no child process of this pool is left');
  });
}
