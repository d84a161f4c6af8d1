/**
 * `forkyard start` runs a pool in the foreground: it prints the address it serves on, the pool
 * answers there, httpd's start-up warnings go to stderr as `WARNING: …` without stopping it, a
 * JSON config file picks the MPM and directives, and SIGTERM stops it: exit 0, pid file
 * removed, every child gone — also when SIGTERM comes while the children are still starting.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, get, groupMembers, runCli, statusAuto, stillRunning, waitFor, type CliRun } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'forkyard-cli-start-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let runs = 0;
function dataDir(): string {
  return join(tmp, `data-${++runs}`);
}

/** SIGTERM, then: exit 0 within 10 s, and no child or group member left. */
async function stopWithSigterm(cli: CliRun): Promise<void> {
  const children = [...cli.children.values()];
  const sentAt = Date.now();
  process.kill(cli.pid, 'SIGTERM');
  const exit = await cli.waitExit(10_000);
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `exit status; stderr:\n${cli.stderr()}`);
  assert.ok(exit.at - sentAt < 10_000);
  assert.match(cli.stderr(), /caught SIGTERM/);
  assert.deepEqual(children.filter(stillRunning).map((s) => s.pid), [], 'every child seen is gone');
  assert.deepEqual(groupMembers(cli.pid).map((s) => s.pid), [], 'nothing of the CLI’s process group is left');
}

test('prefork: prints its address, serves the demo app and mod_status, SIGTERM exits 0 with no child left', { timeout: 40_000 }, async () => {
  const port = await freePort();
  const dir = dataDir();
  const cli = runCli(['start', '--listen', `127.0.0.1:${port}`, '--mpm', 'prefork', '--set', 'StartServers=2', '--data-dir', dir]);
  try {
    await cli.waitStdout(new RegExp(`^Forkyard prefork MPM serving the demo app on http://127\\.0\\.0\\.1:${port}/$`, 'm'), 20_000);
    assert.match(cli.stdout(), /StartServers 2, MaxRequestWorkers 256, spares 5-10/);
    assert.match(cli.stdout(), new RegExp(`primary: pid ${cli.pid} `));
    assert.deepEqual(cli.stderrLines(), [], 'nothing to warn about');
    assert.equal(readFileSync(join(dir, 'forkyard.pid'), 'utf8'), `${cli.pid}\n`, 'pid file holds the primary');

    const hello = await get(port, '/');
    assert.equal(hello.status, 200);
    assert.equal(hello.body, 'Hello from Forkyard\n');
    const auto = await statusAuto(port);
    assert.equal(auto.ServerMPM, 'prefork');
    await waitFor('the two StartServers children in /proc', () => cli.children.size >= 2, 5_000);

    await stopWithSigterm(cli);
    assert.equal(existsSync(join(dir, 'forkyard.pid')), false, 'pid file removed');
  } finally {
    await cli.kill();
  }
});

test('a JSON config file picks the MPM and directives (event, ThreadsPerChild 2); notes come once it runs', { timeout: 40_000 }, async () => {
  const port = await freePort();
  const cli = runCli(['start', '--config', join(FIXTURES, 'event-pool.json'), '--listen', `127.0.0.1:${port}`, '--set', 'MinSpareServers=3', '--data-dir', dataDir()]);
  try {
    await cli.waitStdout(new RegExp(`^Forkyard event MPM serving the demo app on http://127\\.0\\.0\\.1:${port}/$`, 'm'), 20_000);
    assert.match(cli.stdout(), /StartServers 1, .*ThreadsPerChild 2,/);
    const hello = await get(port, '/');
    assert.equal(hello.status, 200);
    assert.equal(hello.body, 'Hello from Forkyard\n');
    const auto = await statusAuto(port);
    assert.equal(auto.ServerMPM, 'event');
    // httpd's start-up warnings, and the note for a directive event ignores: nothing else.
    const lines = cli.stderrLines();
    assert.deepEqual(lines.filter((l) => l.startsWith('forkyard: ')), ['forkyard: MinSpareServers does not apply to the event MPM and is ignored; it is kept for prefork.']);
    for (const line of lines.filter((l) => !l.startsWith('forkyard: '))) assert.match(line, /^WARNING: AH\d{5}: /);
    await stopWithSigterm(cli);
  } finally {
    await cli.kill();
  }
});

test('worker with ThreadsPerChild 64: the AH00316 warning on stderr, and the pool still starts', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const cli = runCli(['start', '--listen', `127.0.0.1:${port}`, '--mpm', 'worker', '--set', 'ThreadsPerChild=64', '--set', 'StartServers=1', '--data-dir', dataDir()]);
  try {
    await cli.waitStdout(new RegExp(`^Forkyard worker MPM serving the demo app on http://127\\.0\\.0\\.1:${port}/$`, 'm'), 45_000);
    const warnings = cli.stderrLines().filter((l) => l.startsWith('WARNING:'));
    assert.deepEqual(
      warnings.map((l) => l.slice(0, l.indexOf(' for a maximum of 6 servers.') + ' for a maximum of 6 servers.'.length)),
      ['WARNING: AH00316: MaxRequestWorkers of 400 is not an integer multiple of ThreadsPerChild of 64, decreasing to nearest multiple 384, for a maximum of 6 servers.'],
    );
    assert.match(cli.stdout(), /MaxRequestWorkers 384, ThreadsPerChild 64,/, 'the adjusted value is the one in force');
    const hello = await get(port, '/');
    assert.equal(hello.status, 200);
    assert.equal((await statusAuto(port)).ServerMPM, 'worker');
    await stopWithSigterm(cli);
  } finally {
    await cli.kill();
  }
});

test('SIGTERM while the children are still loading the app: exit 0, never serves, no child left', { timeout: 40_000 }, async () => {
  const port = await freePort();
  const dir = dataDir();
  const cli = runCli(
    ['start', '--listen', `127.0.0.1:${port}`, '--mpm', 'prefork', '--set', 'StartServers=2', '--app', join(FIXTURES, 'app-slow-load.mjs'), '--data-dir', dir],
    { env: { FORKYARD_FIXTURE_LOAD_MS: '4000' } },
  );
  try {
    // Forked, but each child spends 4 s importing the app: the pool is not up yet.
    await waitFor('two children forked', () => cli.children.size >= 2, 10_000, 20);
    assert.equal(cli.stdout(), '', 'not serving yet');
    await stopWithSigterm(cli);
    assert.match(cli.stderr(), /caught SIGTERM during start-up, shutting down/);
    assert.doesNotMatch(cli.stdout(), /serving/, 'never claimed to serve');
    assert.equal(existsSync(join(dir, 'forkyard.pid')), false, 'no pid file left');
  } finally {
    await cli.kill();
  }
});
