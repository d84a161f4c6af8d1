/**
 * A change the API acknowledged is on disk: the `forkyard` process is killed with SIGKILL a
 * millisecond after the PATCH /api/v1/directives response arrives, and the next process on the
 * same data directory has the change and its audit entry. Five rounds, five values, each
 * checked after its own kill.
 *
 * What this shows is that the change is committed before the response is sent, not held in
 * memory or written later. A killed process cannot tell synchronous FULL from NORMAL (the
 * operating system keeps what was written); that difference only shows on power loss.
 *
 * Real processes on loopback ports, each in its own process group; nothing outlives the test.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const TOKEN = 'durability-test-operator-token';
const VALUES = [3, 7, 11, 4, 9];
const running = new Set<ChildProcess>();

after(() => {
  for (const p of running) killGroup(p.pid!);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Run {
  proc: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function start(dir: string): Promise<Run> {
  const [listen, control] = [await freePort(), await freePort()];
  const args = ['start', '--listen', `127.0.0.1:${listen}`, '--control', `127.0.0.1:${control}`, '--data-dir', dir, '--set', 'StartServers=1', '--set', 'MinSpareServers=1', '--set', 'MaxSpareServers=2'];
  const proc = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORKYARD_TOKEN: TOKEN } });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = out.match(/control: (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/);
    if (m) return { proc, url: m[1]!, exited };
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the control plane did not start; stdout: ${out} stderr: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, `GET ${url}`);
  return (await res.json()) as T;
}

/** PATCH, and SIGKILL the process (the primary) 1 ms after the whole response has arrived. */
function patchThenKill(run: Run, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      `${run.url}/api/v1/directives`,
      { method: 'PATCH', agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          setTimeout(() => {
            run.proc.kill('SIGKILL');
            resolve({ status: res.statusCode ?? 0, body: text });
          }, 1);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface DirectivesState {
  effective: Record<string, unknown>;
  overrides: Record<string, unknown>;
}
interface AuditPage {
  entries: Array<{ action: string; actor: string; result: string; after: Record<string, unknown> | null }>;
}

test('a directive change acknowledged by the API survives kill -9 of the process a millisecond later', { timeout: 100_000 }, async () => {
  const dir = tempDir();
  let run = await start(dir);
  for (const [i, value] of VALUES.entries()) {
    const res = await patchThenKill(run, { KeepAliveTimeout: value });
    assert.equal(res.status, 200, res.body);
    await run.exited;
    running.delete(run.proc);
    // Its children leave by themselves (they watch the primary); the next start waits for them.
    const deadline = Date.now() + 10_000;
    while (!groupGone(run.proc.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.ok(groupGone(run.proc.pid!), 'nothing of the killed process is left');

    run = await start(dir);
    const d = await getJson<DirectivesState>(`${run.url}/api/v1/directives`);
    assert.equal(d.effective.KeepAliveTimeout, value, `round ${i + 1}: the acknowledged KeepAliveTimeout ${value} is back`);
    assert.equal(d.overrides.KeepAliveTimeout, value);
    const audit = await getJson<AuditPage>(`${run.url}/api/v1/audit`);
    const patches = audit.entries.filter((e) => e.action === 'directives.patch');
    assert.equal(patches.length, i + 1, `round ${i + 1}: one audit entry per acknowledged change`);
    assert.deepEqual([patches[0]!.actor, patches[0]!.result, patches[0]!.after?.KeepAliveTimeout], ['env-operator', 'ok', value], 'the newest entry is this change');
  }
  run.proc.kill('SIGTERM');
  await run.exited;
  running.delete(run.proc);
});
