/**
 * The `forkyard` command (dist/cli/main.js): the engine's start plus the control plane. Real
 * processes on loopback ports, each in its own process group so that nothing outlives a test.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractControlArgs } from '../src/cli/control-args.js';
import { tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const running = new Set<ChildProcess>();

after(() => {
  for (const p of running) if (!groupGone(p.pid!)) process.kill(-p.pid!, 'SIGKILL');
});

function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

interface Run {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const proc = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORKYARD_TOKEN: '', ...env } });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, out: () => out, err: () => err, exited };
}

async function until(what: string, fn: () => RegExpMatchArray | null, r: Run, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const m = fn();
    if (m) return m;
    if (r.proc.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no ${what}; stdout: ${r.out()} stderr: ${r.err()}`);
}

async function stop(r: Run): Promise<void> {
  r.proc.kill('SIGTERM');
  assert.equal(await r.exited, 0);
  await until('an empty process group', () => (groupGone(r.proc.pid!) ? ([''] as unknown as RegExpMatchArray) : null), r, 10_000).catch(() => undefined);
  assert.ok(groupGone(r.proc.pid!), 'no child left');
  running.delete(r.proc);
}

test('control flags are taken out of the engine’s arguments', () => {
  assert.deepEqual(extractControlArgs(['--mpm', 'event', '--control', '[::1]:9000', '--open-read', '-s', 'StartServers=1']), {
    rest: ['--mpm', 'event', '-s', 'StartServers=1'],
    control: { host: '::1', port: 9000 },
    openRead: true,
    loadTestAllow: [],
  });
  assert.deepEqual(extractControlArgs(['--control=off']), { rest: [], control: null, openRead: false, loadTestAllow: [] });
  assert.deepEqual(extractControlArgs([]), { rest: [], control: { host: '127.0.0.1', port: 7070 }, openRead: false, loadTestAllow: [] });
  assert.deepEqual(extractControlArgs(['--control', '8000']), { rest: [], control: { host: '127.0.0.1', port: 8000 }, openRead: false, loadTestAllow: [] });
  assert.deepEqual(extractControlArgs(['--loadtest-allow', '10.0.0.5:8080', '--loadtest-allow=http://[::1]:81', '-s', 'StartServers=1']), {
    rest: ['-s', 'StartServers=1'],
    control: { host: '127.0.0.1', port: 7070 },
    openRead: false,
    loadTestAllow: ['10.0.0.5:8080', 'http://[::1]:81'],
  });
  for (const bad of [['--control', 'a:b'], ['--control', ':70000'], ['--control', '--mpm'], ['--control=off', '--open-read'], ['--open-read', '--control', '192.0.2.1:80'], ['--loadtest-allow'], ['--loadtest-allow', 'a b:1'], ['--control=off', '--loadtest-allow', '10.0.0.5:80']]) {
    assert.ok('error' in extractControlArgs(bad), bad.join(' '));
  }
});

const START = ['start', '--listen', '127.0.0.1:0', '--control', '127.0.0.1:0', '--set', 'StartServers=1', '--set', 'MinSpareServers=1', '--set', 'MaxSpareServers=2'];

test('first start prints the control URL and the tokens; a change survives a restart of the process', async () => {
  const dir = tempDir();
  const first = run([...START, '--data-dir', dir]);
  const [, url] = await until('the control URL', () => first.out().match(/control: (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/), first);
  const [, operator] = await until('the operator token', () => first.out().match(/tokens: {2}operator (\S+)/), first);
  assert.match(first.out(), /viewer {3}\S+/);
  assert.equal(statSync(join(dir, 'tokens.json')).mode & 0o777, 0o600);
  const res = await fetch(`${url}/api/v1/directives`, { method: 'PATCH', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ KeepAliveTimeout: 3, MaxRequestWorkers: 40 }) });
  assert.equal(res.status, 200);
  await stop(first);

  // --set on the command line wins over the store; the rest comes back.
  const second = run([...START, '--set', 'MaxRequestWorkers=30', '--data-dir', dir], { FORKYARD_TOKEN: 'an-operator-token-of-my-own' });
  const [, url2] = await until('the control URL', () => second.out().match(/control: (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/), second);
  assert.doesNotMatch(second.out(), /operator \S+/, 'tokens are printed on first start only');
  assert.match(second.out(), /tokens: {2}in /);
  const d = (await (await fetch(`${url2}/api/v1/directives`, { headers: { authorization: `Bearer ${operator}` } })).json()) as { effective: Record<string, number> };
  assert.equal(d.effective.KeepAliveTimeout, 3);
  assert.equal(d.effective.MaxRequestWorkers, 30);
  const sw = await fetch(`${url2}/api/v1/pool/graceful-restart`, { method: 'POST', headers: { authorization: 'Bearer an-operator-token-of-my-own' } });
  assert.equal(sw.status, 200);
  const audit = (await (await fetch(`${url2}/api/v1/audit`, { headers: { authorization: `Bearer ${operator}` } })).json()) as { entries: Array<{ action: string; actor: string }> };
  assert.deepEqual(audit.entries.map((e: { action: string; actor: string }) => `${e.actor} ${e.action}`), ['env-operator pool.graceful-restart', 'operator directives.patch']);
  await stop(second);
});

test('a bad --control, or --open-read off loopback: exit 2, one line', async () => {
  const cases = [['--control', 'nowhere'], ['--control', '127.0.0.1:99999'], ['--control'], ['--open-read', '--control', '0.0.0.0:0']];
  await Promise.all(
    cases.map(async (args) => {
      const r = run(['start', '--listen', '127.0.0.1:0', '--data-dir', tempDir(), ...args]);
      assert.equal(await r.exited, 2, args.join(' '));
      assert.equal(r.err().trim().split('\n').length, 1, r.err());
      assert.match(r.err(), /^forkyard: .*(--control|--open-read)/);
      running.delete(r.proc);
    }),
  );
});

test('a control port in use: exit 2, one line, nothing left running', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = run(['start', '--listen', '127.0.0.1:0', '--control', `127.0.0.1:${port}`, '--data-dir', tempDir(), '--set', 'StartServers=1']);
    assert.equal(await r.exited, 2);
    assert.equal(r.err().trim().split('\n').length, 1, r.err());
    assert.match(r.err(), new RegExp(`control plane: 127\\.0\\.0\\.1:${port} is already in use`));
    assert.equal(r.out(), '', 'no banner: the pool never started');
    assert.ok(groupGone(r.proc.pid!), 'no child left');
    running.delete(r.proc);
  } finally {
    blocker.close();
  }
});

test('--control off runs the pool alone; --help documents the control flags', async () => {
  const r = run(['start', '--listen', '127.0.0.1:0', '--control', 'off', '--data-dir', tempDir(), '--set', 'StartServers=1']);
  await until('the banner', () => r.out().match(/control: off/), r);
  await stop(r);
  const help = run(['start', '--help']);
  assert.equal(await help.exited, 0);
  assert.match(help.out(), /--control <host:port\|off>/);
  assert.match(help.out(), /override what is stored/);
  running.delete(help.proc);
});

test('forkyard loadtest runs against the started pool: progress lines, then the summary table', async () => {
  const dir = tempDir();
  const server = run([...START, '--data-dir', dir]);
  const [, url] = await until('the control URL', () => server.out().match(/control: (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/), server);
  const lt = run(['loadtest', 'hello', '--connections', '2', '--duration', '2', '--url', url!, '--data-dir', dir]);
  assert.equal(await lt.exited, 0, lt.err());
  running.delete(lt.proc);
  assert.match(lt.out(), /^load test [0-9a-f-]+: hello against http:\/\/127\.0\.0\.1:\d+\n/);
  assert.match(lt.out(), /\nprefork \[#{10}\.{10}\] 1\/2 s {2}\d+ req\/s/);
  assert.match(lt.out(), /\nprefork \[#{20}\] 2\/2 s/, 'the last second is shown too');
  assert.match(lt.out(), /\n +prefork\np50 \(ms\) +[\d.]+\n[\s\S]*\nreq\/s +[\d.]+\nrequests +\d+\nerrors +0\n$/);
  const json = run(['loadtest', 'hello', '--connections', '1', '--duration', '1', '--json', '--url', url!, '--data-dir', dir]);
  assert.equal(await json.exited, 0, json.err());
  running.delete(json.proc);
  const record = JSON.parse(json.out()) as { status: string; result: { summary: { requests: number } } };
  assert.equal(record.status, 'completed');
  assert.ok(record.result.summary.requests > 0);
  const st = run(['status', '--url', url!, '--data-dir', dir]);
  assert.equal(await st.exited, 0, st.err());
  running.delete(st.proc);
  assert.match(st.out(), /MPM prefork/);
  await stop(server);
});
