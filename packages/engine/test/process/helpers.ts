/**
 * Shared by the process tests: start a real pool on an ephemeral loopback port, talk to it
 * over real sockets, read its mod_status, and always stop it (no child left behind).
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPool, type ForensicEvent, type Pool, type PoolConfig } from '@forkyard/engine';

const pools = new Set<Pool>();

after(async () => {
  await Promise.all([...pools].map((p) => p.stop()));
});

export async function startPool(config: PoolConfig): Promise<{ pool: Pool; port: number; base: string }> {
  const pool = createPool({ listen: '127.0.0.1:0', ...config, directives: { MaintenanceInterval: 200, ...(config.directives ?? {}) } });
  pools.add(pool);
  const address = await pool.start();
  return { pool, port: address.port, base: `http://127.0.0.1:${address.port}` };
}

export async function stopPool(pool: Pool): Promise<void> {
  await pool.stop();
  pools.delete(pool);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** pid of the child or thread's process that answered (X-Forkyard-Pid is not used: the demo app's `/pid`). */
  socketPort: number;
}

/** One request; pass an agent to reuse a kept-alive connection. */
export function get(port: number, path: string, agent?: http.Agent, timeoutMs = 15_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: agent ?? false, headers: agent ? { connection: 'keep-alive' } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socketPort: res.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A client with exactly one persistent connection. */
export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 60_000 });
}

export async function statusAuto(port: number): Promise<Record<string, string>> {
  const r = await get(port, '/server-status?auto');
  const out: Record<string, string> = {};
  for (const line of r.body.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Live children (pid ≠ 0) in the pool's scoreboard image. */
export function liveChildren(pool: Pool): number {
  return pool.snapshot().processes.filter((p) => p.pid !== 0).length;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pool's own `?auto` page, parsed, without an HTTP request: under worker a status request
 * would itself need a free thread.
 */
export function poolAuto(pool: Pool): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of pool.renderStatus('auto', '127.0.0.1', '127.0.0.1').body.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}

/** How many thread slots of live children show each status letter, from the pool's snapshot. */
export function slotLetterCounts(pool: Pool): Record<string, number> {
  const image = pool.snapshot();
  const counts: Record<string, number> = {};
  image.processes.forEach((p, i) => {
    if (p.pid === 0) return;
    for (const w of image.workers[i]!) counts[w.status] = (counts[w.status] ?? 0) + 1;
  });
  return counts;
}

/**
 * Like startPool, but `beforeStart` gets the pool before it forks anything, so 'spawn', 'exit'
 * and 'log' listeners also see the StartServers children.
 */
export async function startPoolObserved(
  config: PoolConfig,
  beforeStart: (pool: Pool) => void,
): Promise<{ pool: Pool; port: number; base: string }> {
  const pool = createPool({ listen: '127.0.0.1:0', ...config, directives: { MaintenanceInterval: 200, ...(config.directives ?? {}) } });
  pools.add(pool);
  beforeStart(pool);
  const address = await pool.start();
  return { pool, port: address.port, base: `http://127.0.0.1:${address.port}` };
}

// ── The `forkyard` CLI as a real process ────────────────────────────────────────────────────
//
// The CLI runs in a process group of its own (detached), and its children inherit that group:
// after the CLI is gone, any process still in the group is a child it left behind.

/** The built CLI (build first: `npx tsc -p tsconfig.json`). */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (exited, not yet reaped), … */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot: tells a pid apart from a later process given the same number. */
  startTime: number;
}

/** /proc/<pid>/stat, or null when there is no such process. */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0]!, ppid: Number(f[1]), pgrp: Number(f[2]), startTime: Number(f[19]) };
}

function allProcs(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** A process that still runs: a zombie has exited (it holds no socket and runs no code). */
function running(s: ProcStat | null): s is ProcStat {
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** A pool's standby process (forked ahead of need, not yet a child), told by its environment. */
export function isStandby(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').some((v) => v.startsWith('FORKYARD_STANDBY='));
  } catch {
    return false;
  }
}

/** Running processes whose parent is `ppid`. */
export function childrenOf(ppid: number): ProcStat[] {
  return allProcs().filter((s) => s.ppid === ppid && running(s));
}

/** Running processes of process group `pgid`. */
export function groupMembers(pgid: number): ProcStat[] {
  return allProcs().filter((s) => s.pgrp === pgid && running(s));
}

/** Is this very process (same pid and start time) still running? */
export function stillRunning(p: ProcStat): boolean {
  const now = procStat(p.pid);
  return running(now) && now.startTime === p.startTime;
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface CliRun {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Non-empty stderr lines. */
  stderrLines: () => string[];
  /** Every child process of the CLI seen while it ran (sampled from /proc every 20 ms). */
  children: Map<number, ProcStat>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the exit, or rejects after `timeoutMs`. */
  waitExit: (timeoutMs: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with stdout once it matches `re`; rejects if the CLI exits first or on timeout. */
  waitStdout: (re: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  /** Kills the CLI's whole process group (SIGKILL) and waits for the CLI to exit. */
  kill: () => Promise<void>;
}

const cliRuns = new Set<CliRun>();

after(async () => {
  await Promise.all([...cliRuns].map((r) => r.kill()));
});

/** Starts `node dist/cli/main.js …args` in a process group of its own. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): CliRun {
  const proc = spawn(process.execPath, [CLI_MAIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  const pid = proc.pid!;
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const children = new Map<number, ProcStat>();
  const sample = (): void => {
    for (const s of childrenOf(pid)) if (!children.has(s.pid)) children.set(s.pid, s);
  };
  const sampler = setInterval(sample, 20);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true;
      clearInterval(sampler);
      // stdout/stderr may still hold the last bytes: wait for the streams to end.
      proc.once('close', () => resolve({ code, signal, at: Date.now() }));
    });
  });
  const run: CliRun = {
    proc,
    pid,
    stdout: () => out,
    stderr: () => err,
    stderrLines: () => err.split('\n').filter((l) => l.trim() !== ''),
    children,
    exited,
    waitExit: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the CLI did not exit within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        void exited.then((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      }),
    waitStdout: async (re, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (done) throw new Error(`the CLI exited before printing ${re}; stdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() > deadline) throw new Error(`the CLI did not print ${re} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`);
        sample();
        await sleep(25);
      }
    },
    kill: async () => {
      cliRuns.delete(run);
      if (!done) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
      // Children outlive a SIGKILLed CLI for a moment: the group id still names them.
      for (const s of groupMembers(pid)) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
  cliRuns.add(run);
  return run;
}

/** Descriptors a process holds (/proc/<pid>/fd). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * `rounds` rounds of 10 concurrent `GET /`, each on a connection of its own, every one
 * answered 200; then a moment for the closes, which are asynchronous (the thread, then the
 * listener's lifeline).
 */
export async function shortConnections(port: number, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(port, '/')));
    assert.ok(replies.every((r) => r.status === 200), `round ${round}: ${replies.map((r) => r.status).join(' ')}`);
  }
  await sleep(300);
}

/** One request on a raw socket; resolves with the head and body once the whole response is in. */
export function rawRequest(socket: net.Socket, request: string, timeoutMs = 10_000): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`no complete response within ${timeoutMs} ms: ${JSON.stringify(buf)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) return done(new Error(`no Content-Length in ${JSON.stringify(head)}`));
      if (buf.length - end - 4 >= length) done(undefined, { head, body: buf.slice(end + 4, end + 4 + length) });
    };
    const onClose = (): void => done(new Error(`connection closed before the response was complete: ${JSON.stringify(buf)}`));
    const done = (err?: Error, value?: { head: string; body: string }): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(value!);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(request);
  });
}

/** Writes raw bytes and collects whatever the server answers until it closes (or `ms` passes). */
export function raw(port: number, chunks: Array<string | Buffer>, ms = 8000, gapMs = 0): Promise<{ text: string; closed: boolean; elapsed: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ text, closed, elapsed: Date.now() - t0 });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    setTimeout(() => finish(false), ms);
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/**
 * A kept-alive request, answered, then a request whose body stops after 3 of its 500 bytes: the
 * connection must be cut after about Timeout (2 s, the caller's pool), with nothing answered to
 * the second request.
 */
export async function assertStalledBodyCut(port: number): Promise<void> {
  const r = await raw(port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nabc'], 15_000, 300);
  assert.match(r.text, /^HTTP\/1\.1 200 /, 'the first request is answered');
  assert.equal(r.text.match(/HTTP\/1\.1 /g)?.length, 1, `nothing answers the second: ${r.text}`);
  assert.ok(r.closed, 'the connection is closed');
  assert.ok(r.elapsed >= 2000 && r.elapsed < 9000, `cut after about Timeout (2 s), took ${r.elapsed} ms`);
}

const STUCK_APP = fileURLToPath(new URL('../fixtures/stuck-app.mjs', import.meta.url));

/**
 * RequestTimeLimit on an event pool (the transport is the caller's): a stuck request gets 503
 * only if nothing of its own response went out. Pipelined /ok + /spin: 200, then 503. A head
 * already out: nothing follows it. A request pipelined behind a response going out: nothing
 * lands inside that response.
 */
export async function assertOnly503WhereNothingWentOut(): Promise<void> {
  const forensics: ForensicEvent[] = [];
  const { port } = await startPoolObserved(
    {
      mpm: 'event',
      app: STUCK_APP,
      directives: { StartServers: 1, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, RequestTimeLimit: 1 },
    },
    (p) => p.on('forensic', (f) => forensics.push(f)),
  );
  // The thread writes the response to /ok and, in the same moment, starts /spin. That write
  // belongs to the request before; /spin has sent nothing, so it gets its 503.
  const pipelined = await raw(port, ['GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /spin HTTP/1.1\r\nHost: x\r\n\r\n'], 20_000);
  assert.match(pipelined.text, /^HTTP\/1\.1 200 [^]*HTTP\/1\.1 503 [^]*RequestTimeLimit/, pipelined.text);
  const f = await waitFor('the forensic record', () => forensics[0], 5000);
  assert.equal(f.request, 'GET /spin HTTP/1.1');
  assert.equal(f.answered503, true);
  /**
   * A stuck request after part of a response went out: the connection is closed, the client
   * has what went out and no 503, and the record of the stuck request says no 503 was sent.
   */
  const noneAfterBegun = async (chunks: string[], gapMs: number, begun: RegExp, record: number, request: string): Promise<void> => {
    const r = await raw(port, chunks, 20_000, gapMs);
    assert.ok(r.closed, 'the connection is closed');
    assert.match(r.text, begun, r.text);
    assert.doesNotMatch(r.text, /503/);
    const g = await waitFor(`forensic record ${record + 1}`, () => forensics[record], 10_000);
    assert.equal(g.request, request);
    assert.equal(g.answered503, false);
  };
  // A handler that sent its head and part of its body before it got stuck: nothing can follow
  // a 200 already begun.
  await noneAfterBegun(['GET /spin-begun HTTP/1.1\r\nHost: x\r\n\r\n'], 0, /^HTTP\/1\.1 200 [^]*begun\n/, 1, 'GET /spin-begun HTTP/1.1');
  // Pipelined behind a response that has begun going out and not ended (sent 50 ms after it,
  // once its head is out): a 503 would land inside it.
  await noneAfterBegun(['GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /spin HTTP/1.1\r\nHost: x\r\n\r\n'], 50, /^HTTP\/1\.1 200 [^]*slow\n/, 2, 'GET /spin HTTP/1.1');
}
