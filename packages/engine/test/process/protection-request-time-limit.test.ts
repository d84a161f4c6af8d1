/**
 * RequestTimeLimit: a handler stuck in an endless loop is stopped — the thread terminated
 * (worker/event) or the child ended (prefork) — the client gets 503, the slot is replaced, and
 * the forensics name the request and carry the handler's stack.
 */

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { ChildExitEvent, ForensicEvent } from '@forkyard/engine';
import { assertOnly503WhereNothingWentOut, get, startPoolObserved, waitFor } from './helpers.js';

const STUCK = fileURLToPath(new URL('../fixtures/stuck-app.mjs', import.meta.url));

for (const mpm of ['prefork', 'worker', 'event'] as const) {
  test(`${mpm}: a handler past RequestTimeLimit is stopped with 503 and its stack`, { timeout: 60_000 }, async () => {
    const forensics: ForensicEvent[] = [];
    const exits: ChildExitEvent[] = [];
    const { pool, port } = await startPoolObserved(
      {
        mpm,
        app: STUCK,
        directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 3, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, RequestTimeLimit: 1 },
      },
      (p) => {
        p.on('forensic', (f) => forensics.push(f));
        p.on('exit', (e) => exits.push(e));
      },
    );
    const t0 = Date.now();
    const stuck = await get(port, '/spin', undefined, 20_000);
    const took = Date.now() - t0;
    assert.equal(stuck.status, 503, stuck.body);
    assert.match(stuck.body, /RequestTimeLimit/);
    assert.ok(took >= 900 && took < 15_000, `stopped after about a second, took ${took} ms`);
    const f = await waitFor('the forensic record', () => forensics[0], 5000);
    assert.equal(f.kind, 'RequestTimeLimit');
    assert.equal(f.request, 'GET /spin HTTP/1.1');
    assert.equal(f.client, '127.0.0.1');
    assert.ok(f.answered503);
    assert.ok(f.elapsedMs >= 1000, `elapsed ${f.elapsedMs}`);
    // The paused thread's frames, the handler's among them (an idle thread paused instead
    // shows only Node's timers).
    assert.match(f.stack, /^ {4}at \S.* \(.+stuck-app\.mjs:\d+:\d+\)$/m, f.stack);
    process.stdout.write(`# ${mpm} stack:\n${f.stack.split('\n').slice(0, 3).map((l) => `#${l}`).join('\n')}\n`);
    assert.deepEqual(pool.forensics().map((x) => x.request), ['GET /spin HTTP/1.1']);
    if (mpm === 'prefork') {
      const exit = await waitFor('the stuck child to be reaped', () => exits.find((e) => e.pid === f.pid), 5000);
      assert.equal(exit.reason, 'request-time-limit');
    } else {
      assert.equal(exits.length, 0, 'only the thread was stopped, not the child');
    }
    const ok = await waitFor('the pool to serve again', async () => {
      const r = await get(port, '/ok').catch(() => null);
      return r?.status === 200 ? r : null;
    }, 15_000);
    assert.equal(ok.status, 200);
    if (mpm === 'prefork') return;
    // Again, on a child with a replaced thread: the stack is still the stuck thread's.
    const again = await get(port, '/spin', undefined, 20_000);
    assert.equal(again.status, 503, again.body);
    const f2 = await waitFor('the second forensic record', () => forensics[1], 5000);
    assert.match(f2.stack, /^ {4}at \S.* \(.+stuck-app\.mjs:\d+:\d+\)$/m, f2.stack);
  });
}

test('event: a stuck request gets 503 only if nothing of its own response went out', { timeout: 60_000 }, async () => {
  await assertOnly503WhereNothingWentOut();
});
