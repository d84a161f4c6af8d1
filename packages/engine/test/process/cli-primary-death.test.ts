/**
 * Children never outlive their primary: when the `forkyard` process is killed with SIGKILL (no
 * chance to clean up), every child exits by itself within a second — even one in the middle of
 * a request — and that request's client sees its connection end.
 *
 * A child that has exited but is not reaped yet (the CLI is gone, init reaps it) counts as
 * gone: it runs no code and holds no socket.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { childrenOf, freePort, groupMembers, runCli, sleep, statusAuto, stillRunning, waitFor } from './helpers.js';

const GONE_WITHIN_MS = 1500;

const tmp = mkdtempSync(join(tmpdir(), 'forkyard-cli-death-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A request that is still running when the primary dies: settles with how it ended. */
function inFlight(port: number, path: string): Promise<{ ended: 'response' | 'error'; status?: number; body?: string; error?: string; at: number }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ ended: 'response', status: res.statusCode, body, at: Date.now() }));
      res.on('error', (err) => resolve({ ended: 'error', error: err.message, at: Date.now() }));
    });
    req.on('error', (err) => resolve({ ended: 'error', error: (err as NodeJS.ErrnoException).code ?? err.message, at: Date.now() }));
    req.setTimeout(20_000, () => req.destroy(new Error('still open after 20 s')));
  });
}

const CASES = [
  { mpm: 'prefork', sets: ['StartServers=3', 'MinSpareServers=1', 'MaxSpareServers=10'], children: 3 },
  { mpm: 'event', sets: ['ThreadsPerChild=2', 'StartServers=2', 'MinSpareThreads=1', 'MaxSpareThreads=16'], children: 2 },
] as const;

for (const c of CASES) {
  test(`${c.mpm}: after kill -9 of the primary, every child exits within ${GONE_WITHIN_MS} ms and the in-flight request's connection ends`, { timeout: 40_000 }, async () => {
    const port = await freePort();
    const cli = runCli(['start', '--listen', `127.0.0.1:${port}`, '--mpm', c.mpm, ...c.sets.flatMap((s) => ['--set', s]), '--data-dir', join(tmp, c.mpm)]);
    try {
      await cli.waitStdout(/serving the demo app on http:\/\//, 20_000);
      const children = await waitFor(`${c.children} children of the primary`, () => {
        const now = childrenOf(cli.pid);
        return now.length >= c.children ? now : null;
      });
      assert.ok(children.every((s) => s.pgrp === cli.pid), 'children are in the primary’s process group');

      const request = inFlight(port, '/sleep?ms=10000');
      // In flight: the sleeping request holds a worker (the status request holds another).
      await waitFor('the /sleep request to be in flight', async () => Number((await statusAuto(port)).BusyWorkers) >= 2, 5_000, 50);
      await sleep(100);

      const killedAt = Date.now();
      process.kill(cli.pid, 'SIGKILL');
      await cli.waitExit(5_000);
      await waitFor(
        'every child to exit',
        () => children.filter(stillRunning).length === 0,
        GONE_WITHIN_MS,
        25,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; still running: ${children.filter(stillRunning).map((s) => s.pid).join(', ')}`);
      });
      const goneAfter = Date.now() - killedAt;
      assert.ok(goneAfter <= GONE_WITHIN_MS, `children gone ${goneAfter} ms after the kill`);
      assert.deepEqual(groupMembers(cli.pid).map((s) => s.pid), [], 'nothing of the primary’s process group is left');

      const ended = await request;
      assert.equal(ended.ended, 'error', `the request was cut off, not answered: ${JSON.stringify(ended)}`);
      assert.ok(ended.at - killedAt <= GONE_WITHIN_MS, `the client saw its connection end ${ended.at - killedAt} ms after the kill`);
    } finally {
      await cli.kill();
    }
  });
}
