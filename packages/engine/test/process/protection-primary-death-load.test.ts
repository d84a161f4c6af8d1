/**
 * Children never outlive their primary, also under load: the `forkyard` process is killed with
 * SIGKILL while keep-alive clients and a connection-per-request client keep it busy. Every
 * child it ever had exits within two seconds, nothing of its process group is left, and every
 * client's last request ends (answered or cut off) instead of hanging on a connection no one
 * serves.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { childrenOf, freePort, groupMembers, runCli, sleep, stillRunning, waitFor } from './helpers.js';

const GONE_WITHIN_MS = 2000;
/** A request still open this long after the kill is hanging. */
const SETTLED_WITHIN_MS = 5000;

const tmp = mkdtempSync(join(tmpdir(), 'forkyard-death-load-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function request(port: number, path: string, agent: http.Agent | false): Promise<{ ok: boolean; at: number }> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => resolve({ ok, at: Date.now() });
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers: agent ? { connection: 'keep-alive' } : {} }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
      res.on('error', () => done(false));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', () => done(false));
  });
}

const CASES = [
  { mpm: 'prefork', sets: ['StartServers=4', 'MinSpareServers=2', 'MaxSpareServers=8'], children: 4 },
  { mpm: 'event', sets: ['ThreadsPerChild=4', 'StartServers=2', 'MinSpareThreads=2', 'MaxSpareThreads=16'], children: 2 },
] as const;

for (const c of CASES) {
  test(`${c.mpm}: kill -9 of the primary under load: every child exits within ${GONE_WITHIN_MS} ms, no request hangs`, { timeout: 60_000 }, async () => {
    const port = await freePort();
    const cli = runCli(['start', '--listen', `127.0.0.1:${port}`, '--mpm', c.mpm, ...c.sets.flatMap((s) => ['--set', s]), '--data-dir', join(tmp, c.mpm)]);
    const agents = [0, 1, 2].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      await cli.waitStdout(/serving the demo app on http:\/\//, 20_000);
      await waitFor(`${c.children} children of the primary`, () => childrenOf(cli.pid).length >= c.children, 10_000);

      let loading = true;
      let answered = 0;
      const last: Array<{ ok: boolean; at: number }> = [];
      const client = async (i: number, path: () => string, agent: http.Agent | false): Promise<void> => {
        while (loading) {
          const r = await request(port, path(), agent);
          last[i] = r;
          if (r.ok) answered++;
        }
      };
      let n = 0;
      const clients = [
        ...agents.map((a, i) => client(i, () => (n++ % 2 === 0 ? '/' : '/sleep?ms=30'), a)),
        client(3, () => '/sleep?ms=5', false),
        client(4, () => '/sleep?ms=2000', false),
      ];
      await waitFor('the load to be running', () => answered >= 100, 20_000);
      await sleep(500);

      const children = [...cli.children.values()];
      const killedAt = Date.now();
      process.kill(cli.pid, 'SIGKILL');
      loading = false;
      await cli.waitExit(5_000);
      await waitFor('every child to exit', () => [...cli.children.values()].filter(stillRunning).length === 0, GONE_WITHIN_MS, 25).catch((err: Error) => {
        throw new Error(`${err.message}; still running: ${[...cli.children.values()].filter(stillRunning).map((s) => s.pid).join(', ')}`);
      });
      const goneAfter = Date.now() - killedAt;
      assert.ok(children.length >= c.children, `children seen: ${children.length}`);
      assert.deepEqual(groupMembers(cli.pid).map((s) => s.pid), [], 'nothing of the primary’s process group is left');

      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        Promise.all(clients).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SETTLED_WITHIN_MS))),
      ]);
      clearTimeout(timer);
      assert.ok(settled, `every client's last request ended within ${SETTLED_WITHIN_MS} ms of the kill`);
      assert.ok(answered >= 100, `the load ran: ${answered} answered`);
      assert.ok(goneAfter <= GONE_WITHIN_MS, `children gone ${goneAfter} ms after the kill`);
      // The long request was in flight at the kill: it ended without an answer.
      assert.equal(last[4]?.ok, false, 'the request in flight at the kill was cut off');
    } finally {
      for (const a of agents) a.destroy();
      await cli.kill();
    }
  });
}
