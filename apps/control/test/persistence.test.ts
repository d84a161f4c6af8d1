/**
 * What survives a restart of the process: directives and the MPM applied through the API, and
 * the audit trail. The first control plane is closed and its pool stopped; a new store on the
 * same data directory gives the next pool the same configuration.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { AuditEntry } from '@forkyard/protocol';
import { openStore, SCHEMA_VERSION, withStored } from '../src/index.js';
import { SMALL_POOL, startHarness, tempDir } from './helpers.js';

test('a directive change and an MPM switch are audited and survive a restart of the process', async () => {
  const dir = tempDir();
  const first = await startHarness({ dir });
  const patch = await first.call({ method: 'PATCH', url: '/api/v1/directives', payload: { MaxSpareServers: 4, KeepAliveTimeout: '2500ms', ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4 } });
  assert.equal(patch.statusCode, 200, patch.body);
  const sw = await first.call({ method: 'POST', url: '/api/v1/mpm', payload: { mpm: 'worker' } });
  assert.equal(sw.statusCode, 200, sw.body);
  const trail = (await first.call({ url: '/api/v1/audit' })).json().entries as AuditEntry[];
  assert.deepEqual(trail.map((e) => [e.action, e.actor, e.result]), [['mpm.switch', 'operator', 'ok'], ['directives.patch', 'operator', 'ok']]);
  assert.deepEqual(trail[1]!.after, { MaxSpareServers: 4, KeepAliveTimeout: 2.5, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, generation: 0, newGeneration: false });
  await first.close();

  // The next process: what the command line gives (no MPM, its own StartServers) over the store.
  const store = openStore(dir);
  const config = withStored({ listen: SMALL_POOL.listen, directives: { StartServers: 1, MinSpareServers: 1, MaintenanceInterval: 200 } }, store.loadConfig());
  store.close();
  const second = await startHarness({ dir, pool: config });
  assert.equal(second.pool.mpm, 'worker');
  assert.equal(second.pool.directives.KeepAliveTimeout, 2.5);
  assert.equal(second.pool.directives.ThreadsPerChild, 2);
  assert.equal(second.pool.directives.MaxSpareServers, 4);
  assert.equal(second.pool.directives.StartServers, 1);
  const d = (await second.call({ url: '/api/v1/directives' })).json();
  assert.deepEqual(d.overrides, { MaxSpareServers: 4, KeepAliveTimeout: '2500ms', ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4 });
  const again = (await second.call({ url: '/api/v1/audit' })).json().entries as AuditEntry[];
  assert.deepEqual(again, trail, 'the audit trail is the same after the restart');
  await second.close();
});

test('the command line overrides what is stored', () => {
  const stored = { mpm: 'event', directives: { MaxRequestWorkers: 32, KeepAlive: 'Off' } };
  assert.deepEqual(withStored({ mpm: 'prefork', directives: { MaxRequestWorkers: 8 } }, stored), {
    mpm: 'prefork',
    directives: { MaxRequestWorkers: 8, KeepAlive: 'Off' },
  });
  assert.deepEqual(withStored({}, stored), { mpm: 'event', directives: { MaxRequestWorkers: 32, KeepAlive: 'Off' } });
  assert.deepEqual(withStored({ listen: 1 }, {}), { listen: 1, directives: {} });
  // What this Forkyard no longer accepts is left out, with a note, instead of stopping start-up.
  const notes: string[] = [];
  const restored = withStored({}, { mpm: 'threaded', directives: { MaxRequestWorkers: 32, Gone: 1, StartServers: -3 } }, (n) => notes.push(n));
  assert.deepEqual(restored, { directives: { MaxRequestWorkers: 32 } });
  assert.equal(notes.length, 3);
  assert.match(notes.join('\n'), /stored MPM "threaded"/);
});

test('the database: WAL, synchronous FULL, schema versioned; a newer schema is refused', () => {
  const dir = tempDir();
  openStore(dir).close();
  const db = new Database(join(dir, 'forkyard.db'));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => openStore(dir), { code: 'FY_STORE_VERSION' });
  const store = openStore(tempDir());
  // synchronous is per connection: read it through the store's own.
  assert.deepEqual(store.settings(), { journalMode: 'wal', synchronous: 'FULL', schemaVersion: SCHEMA_VERSION });
  store.close();
});
