/**
 * apachectl's verbs against a running `forkyard start`, found by the pid file in --data-dir:
 * `graceful` (SIGUSR1) rolls generation 1 with the counters kept, `restart` (SIGHUP) rolls
 * generation 2 with the scoreboard zeroed, `graceful-stop` (SIGWINCH) ends the CLI with exit 0
 * and no pid file, and any verb without a pid file exits 1 saying what is missing.
 * (reference/apache-mpm.md §6.1)
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI_MAIN, freePort, get, groupMembers, runCli, statusAuto, stillRunning, waitFor } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'forkyard-signals-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** `node dist/cli/main.js <verb> --data-dir <dir>`: its exit code and output. */
function verb(name: string, dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, name, '--data-dir', dataDir], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('graceful, restart and graceful-stop reach the running pool through its pid file', { timeout: 40_000 }, async () => {
  const port = await freePort();
  const dataDir = join(tmp, 'data');
  const pidFile = join(dataDir, 'forkyard.pid');
  const cli = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--set', 'StartServers=2', '--set', 'MaintenanceInterval=200']);
  try {
    await cli.waitStdout(/serving the demo app on /, 20_000);
    assert.equal(readFileSync(pidFile, 'utf8'), `${cli.pid}\n`);
    const start = await statusAuto(port);
    assert.equal(start.ParentServerMPMGeneration, '0');
    for (let i = 0; i < 5; i++) assert.equal((await get(port, '/')).status, 200);

    // graceful: generation 1, counters carried on.
    const g = await verb('graceful', dataDir);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, new RegExp(`sent SIGUSR1 to forkyard pid ${cli.pid}`));
    await waitFor('the graceful restart done', () => /graceful restart: done, generation 1/.test(cli.stderr()), 15_000);
    const afterGraceful = await statusAuto(port);
    assert.equal(afterGraceful.ParentServerMPMGeneration, '1');
    assert.equal(afterGraceful.ParentServerConfigGeneration, '2');
    assert.equal(afterGraceful.RestartTime, start.RestartTime);
    assert.ok(Number(afterGraceful['Total Accesses']) >= 5, `Total Accesses carried on: ${afterGraceful['Total Accesses']}`);

    // restart: generation 2, scoreboard zeroed. No request between the signal and the check.
    const r = await verb('restart', dataDir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sent SIGHUP/);
    await waitFor('the hard restart done', () => /\] restart: done, generation 2/.test(cli.stderr()), 15_000);
    const afterRestart = await statusAuto(port);
    assert.equal(afterRestart.ParentServerMPMGeneration, '2');
    assert.equal(afterRestart.ParentServerConfigGeneration, '3');
    assert.equal(afterRestart['Total Accesses'], '0');
    assert.equal(cli.proc.exitCode, null, 'the CLI still runs');

    // graceful-stop: the CLI exits 0, removes its pid file and leaves no child behind.
    const children = [...cli.children.values()];
    const s = await verb('graceful-stop', dataDir);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /sent SIGWINCH/);
    const exit = await cli.waitExit(15_000);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, cli.stderr());
    assert.match(cli.stderr(), /caught SIGWINCH, shutting down gracefully/);
    assert.equal(existsSync(pidFile), false, 'pid file removed');
    assert.deepEqual(children.filter(stillRunning).map((c) => c.pid), [], 'every child seen is gone');
    assert.deepEqual(groupMembers(cli.pid).map((c) => c.pid), [], 'nothing of the CLI’s process group is left');

    // Nothing runs there any more: stop says so and exits 1.
    const stop = await verb('stop', dataDir);
    assert.equal(stop.code, 1);
    assert.equal(stop.stdout, '');
    assert.equal(stop.stderr, `forkyard: no running pool: ${pidFile} does not exist (start one with: forkyard start, or pass --data-dir)\n`);
  } finally {
    await cli.kill();
  }
});

test('stop with no pid file in --data-dir exits 1 with a clear message', { timeout: 15_000 }, async () => {
  const empty = join(tmp, 'never-started');
  const r = await verb('stop', empty);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^forkyard: no running pool: .*never-started\/forkyard\.pid does not exist/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(existsSync(empty), false, 'nothing was created');
});
