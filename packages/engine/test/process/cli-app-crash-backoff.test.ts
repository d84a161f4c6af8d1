/**
 * An app that loads the first time and throws at every later load (fixture: app-loads-once).
 * With StartServers 1 and MinSpareServers 3, maintenance keeps wanting two more children; each
 * one fails at load. The primary stays up, keeps serving with the child it has, reports the
 * app's own error, and backs off after a failure (1, 2, 4 … 60 s) instead of forking on every
 * maintenance pass: few forks, with a pause after each failed batch.
 *
 * Spawns and exits are read from `-v` output, the CLI's own account of every fork.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, get, isStandby, runCli, sleep, stillRunning } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cli/', import.meta.url));
const APP_ERROR = 'fixture app: the license server is unreachable';
const tmp = mkdtempSync(join(tmpdir(), 'forkyard-cli-backoff-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SPAWN = /^\[(\S+)\] child (\d+) started in slot (\d+)/;
/** A child that exited with httpd's APEXIT_CHILDFATAL (15), with the app's error when the primary got it. */
const FATAL_EXIT = /^\[(\S+)\] child (\d+) \(slot \d+, gen \d+\) exited: (app-error|crashed), code 15(?:: (.*))?$/;
const HOLD = /^\[(\S+)\] \[mpm_prefork:error\] FY00001: not starting children for now: the application failed to load \((.*)\); retrying in \d+ s$/;

/** What `-v` stderr says happened from `since` on (times are the CLI's own stamps). */
function observe(lines: string[], since: number): { spawns: number[]; failures: { at: number; reason: string; error?: string }[]; holds: { at: number; error: string }[] } {
  const spawns: number[] = [];
  const failures: { at: number; reason: string; error?: string }[] = [];
  const holds: { at: number; error: string }[] = [];
  for (const line of lines) {
    const s = SPAWN.exec(line);
    if (s && Date.parse(s[1]!) >= since) spawns.push(Date.parse(s[1]!));
    const f = FATAL_EXIT.exec(line);
    if (f) failures.push({ at: Date.parse(f[1]!), reason: f[3]!, ...(f[4] ? { error: f[4] } : {}) });
    const h = HOLD.exec(line);
    if (h) holds.push({ at: Date.parse(h[1]!), error: h[2]! });
  }
  return { spawns, failures, holds };
}

async function startLoadsOnce(name: string, sets: string[]): Promise<{ cli: ReturnType<typeof runCli>; port: number; up: number }> {
  const port = await freePort();
  const cli = runCli(
    ['start', '-v', '--listen', `127.0.0.1:${port}`, '--mpm', 'prefork', '--app', join(FIXTURES, 'app-loads-once.mjs'), '--data-dir', join(tmp, name), ...sets.flatMap((s) => ['--set', s])],
    { env: { FORKYARD_FIXTURE_MARKER: join(tmp, `${name}.loaded`) } },
  );
  await cli.waitStdout(/serving .*app-loads-once\.mjs on http:\/\//, 20_000);
  return { cli, port, up: Date.now() };
}

test('an app that throws at load after start-up: the primary stays up, reports the app error, and backs off', { timeout: 40_000 }, async () => {
  const { cli, port, up } = await startLoadsOnce('default-interval', ['StartServers=1', 'MinSpareServers=3']);
  try {
    // The pool's standby, booted ahead of need, is not a child yet.
    const first = [...cli.children.values()].filter((c) => !isStandby(c.pid));
    assert.equal(first.length, 1, 'StartServers 1: one child, which loaded the app');

    await sleep(5_500);
    assert.equal(cli.proc.exitCode, null, `the primary is still running; stderr:\n${cli.stderr()}`);
    assert.ok(first.every(stillRunning), 'the child that loaded the app is still there');
    const served = await get(port, '/');
    assert.deepEqual([served.status, served.body], [200, 'first load serving\n'], 'and it still serves');

    const { spawns, failures, holds } = observe(cli.stderrLines(), up);
    const appErrors = failures.filter((f) => f.reason === 'app-error');
    assert.ok(appErrors.length >= 1, `a failed load is reported as app-error; stderr:\n${cli.stderr()}`);
    for (const f of appErrors) assert.match(f.error ?? '', new RegExp(`app-loads-once\\.mjs: ${APP_ERROR}$`), 'with the app’s own error');
    assert.ok(holds.length >= 1, 'the primary says it is holding off');
    for (const h of holds) assert.ok(h.error.endsWith(APP_ERROR), 'naming the app’s error');
    // Said once per hold (each failed load starts one), not on every maintenance pass it lasts.
    assert.ok(holds.length <= failures.length, `${holds.length} hold lines for ${failures.length} failed loads`);
    // MaintenanceInterval 1 s: without a back-off the pool forks 1, 2, 4, 8, 16 (31) in 5 s.
    // With it, a failure holds forking for 1 s or more; at most the passes before the first
    // failure lands (1 + 2 + 4 on a very slow machine, 1 + 4 usually) fork at all.
    assert.ok(spawns.length >= 1, 'maintenance did try again');
    assert.ok(spawns.length <= 7, `few forks in 5.5 s after start-up: ${spawns.length}`);
    const settled = spawns.filter((s) => s < Date.now() - 1500).length;
    assert.ok(failures.length >= settled && failures.length <= spawns.length, `each of them exited with code 15: ${failures.length} of ${spawns.length}`);
    for (const f of appErrors) {
      const early = spawns.filter((s) => s > f.at && s - f.at < 950);
      assert.deepEqual(early, [], `no fork within the first second after a failed load (failure at ${f.at})`);
    }
  } finally {
    await cli.kill();
  }
});
