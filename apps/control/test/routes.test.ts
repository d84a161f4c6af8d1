import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import Fastify from 'fastify';
import { DIRECTIVES } from '@forkyard/engine';
import { controlPlane } from '../src/index.js';
import type { AuditEntry } from '@forkyard/protocol';
import { dataGet, startHarness, waitFor, type Harness } from './helpers.js';

/** Small under every MPM, so the later switch to worker forks one child of two threads. */
const SMALL = { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaintenanceInterval: 200, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 4, GracefulShutdownTimeout: 10 };

let h: Harness;
const audited: AuditEntry[] = [];
before(async () => {
  h = await startHarness();
  h.app.forkyardEvents.on('audit', (e: AuditEntry) => audited.push(e));
});

test('GET /status: globals, counts, every child with its slots, the in-flight request and its start', async () => {
  const slow = dataGet(h.port, '/sleep?ms=2000');
  const inFlight = (p: { letters: string; threads: number[][] }) => p.letters.includes('W') && p.threads[p.letters.indexOf('W')]![3]! > 0;
  const snap = await waitFor('a slot with a request in flight', async () => {
    const s = (await h.call({ url: '/api/v1/status', as: 'viewer' })).json();
    return s.processes.some(inFlight) ? s : null;
  });
  assert.equal(snap.mpm, 'prefork');
  assert.equal(snap.version, 'Forkyard/0.1.0');
  assert.equal(typeof snap.acceptQueue, 'number');
  assert.ok(snap.counts.busy >= 1);
  const busy = snap.processes.find(inFlight);
  const cells = busy.threads[busy.letters.indexOf('W')];
  assert.match(cells[0], /^GET \/sleep\?ms=2000 HTTP\/1\.1$/);
  assert.ok(cells[3] > 0 && cells[3] <= snap.time, 'in-flight start time');
  assert.equal(snap.inFlight.length, 1);
  assert.equal(snap.inFlight[0].request, 'GET /sleep?ms=2000 HTTP/1.1');
  assert.equal(snap.inFlight[0].pid, busy.pid);
  assert.equal(snap.inFlight[0].elapsedMs, snap.time - cells[3]);
  assert.equal((await slow).status, 200);
  await waitFor('the access counted', async () => (await h.call({ url: '/api/v1/status' })).json().counts.accesses >= 1);
});

test('GET /directives: values, effective values, overrides and the table for the current MPM', async () => {
  const d = (await h.call({ url: '/api/v1/directives', as: 'viewer' })).json();
  assert.equal(d.mpm, 'prefork');
  assert.equal(d.values.StartServers, 1);
  assert.equal(d.effective.MaxDaemons, 256);
  assert.deepEqual(d.table.map((e: { name: string }) => e.name), DIRECTIVES.map((e) => e.name));
  const tpc = d.table.find((e: { name: string }) => e.name === 'ThreadsPerChild');
  assert.equal(tpc.applies, false);
  const mrw = d.table.find((e: { name: string }) => e.name === 'MaxRequestWorkers');
  assert.deepEqual([mrw.applies, mrw.default, mrw.min, mrw.apply, mrw.aliases], [true, 256, 0, 'tick', ['MaxClients']]);
  assert.match(mrw.help, /accept queue/);
});

test('POST /directives/validate: httpd’s adjustments and warnings, nothing applied', async () => {
  const before = { ...h.pool.directives };
  const res = await h.call({ method: 'POST', url: '/api/v1/directives/validate', as: 'viewer', payload: { MaxRequestWorkers: 300, ServerLimit: 100, MaxClients: 50 } });
  assert.equal(res.statusCode, 200, res.body);
  const v = res.json();
  assert.equal(v.ok, true);
  assert.equal(v.effective.MaxRequestWorkers, 50);
  assert.equal(v.newGeneration, true, 'ServerLimit needs new children');
  assert.ok(v.notes.some((n: string) => /MaxClients is deprecated/.test(n)));
  const adjusted = await h.call({ method: 'POST', url: '/api/v1/directives/validate', payload: { MaxRequestWorkers: 300, ServerLimit: 100 } });
  assert.deepEqual(adjusted.json().warnings.map((w: { id: string; from: number; to: number }) => [w.id, w.from, w.to]), [['AH00180', 300, 100]]);
  assert.deepEqual(h.pool.directives, before);
});

test('PATCH applies in place; PUT replaces and rolls a generation when it must; both audited with before and after', async () => {
  const patch = (await h.call({ method: 'PATCH', url: '/api/v1/directives', payload: { MaxSpareServers: 3, KeepAliveTimeout: '1500ms' } })).json();
  assert.equal(patch.newGeneration, false);
  assert.equal(h.pool.directives.KeepAliveTimeout, 1.5);
  const gen = h.pool.generation;
  const put = await h.call({ method: 'PUT', url: '/api/v1/directives', payload: { ...SMALL, ServerLimit: 64, MaxRequestWorkers: 100 } });
  assert.equal(put.statusCode, 200, put.body);
  const body = put.json();
  assert.equal(body.newGeneration, true);
  assert.equal(body.generation, gen + 1);
  assert.equal(body.effective.MaxRequestWorkers, 64);
  assert.deepEqual(body.warnings.map((w: { id: string }) => w.id), ['AH00180']);
  assert.equal(h.pool.directives.KeepAliveTimeout, 5, 'PUT: what it does not name returns to its default');
  const d = (await h.call({ url: '/api/v1/directives' })).json();
  assert.deepEqual(d.overrides, { ...SMALL, ServerLimit: 64, MaxRequestWorkers: 100 });
  const [last, first] = (await h.call({ url: '/api/v1/audit?limit=2' })).json().entries;
  assert.equal(first.action, 'directives.patch');
  assert.deepEqual(first.before, { MaxSpareServers: 2, KeepAliveTimeout: 5 });
  assert.deepEqual(first.after, { MaxSpareServers: 3, KeepAliveTimeout: 1.5, generation: gen, newGeneration: false });
  assert.equal(last.action, 'directives.put');
  assert.equal(last.before.ServerLimit, 256);
  assert.equal(last.after.ServerLimit, 64);
  assert.equal(last.result, 'ok');
  assert.deepEqual(audited.slice(-2).map((e) => e.id), [first.id, last.id], "each entry was announced on forkyardEvents 'audit'");
});

test('children: list, recycle and kill by pid; both audited; maintenance replaces them', async () => {
  const list = await waitFor('a child', async () => {
    const l = (await h.call({ url: '/api/v1/children', as: 'viewer' })).json();
    return l.children.length >= 1 ? l : null;
  });
  const pid = list.children[0].pid;
  const recycled = await h.call({ method: 'POST', url: `/api/v1/children/${pid}/recycle` });
  assert.equal(recycled.statusCode, 200, recycled.body);
  assert.deepEqual(recycled.json(), { pid, action: 'recycle', exited: true });
  const next = await waitFor('a replacement child', async () => (await h.call({ url: '/api/v1/children' })).json().children.find((c: { pid: number }) => c.pid !== pid));
  const killed = await h.call({ method: 'POST', url: `/api/v1/children/${next.pid}/kill` });
  assert.equal(killed.statusCode, 200, killed.body);
  const entries = (await h.call({ url: '/api/v1/audit?limit=2' })).json().entries;
  assert.deepEqual(entries.map((e: AuditEntry) => [e.action, e.result]), [['child.kill', 'ok'], ['child.recycle', 'ok']]);
  await waitFor('a child again', async () => (await h.call({ url: '/api/v1/children' })).json().children.length >= 1);
});

test('MPM switch and restarts roll generations and are audited', async () => {
  const gen = h.pool.generation;
  const sw = await h.call({ method: 'POST', url: '/api/v1/mpm', payload: { mpm: 'worker' } });
  assert.equal(sw.statusCode, 200, sw.body);
  assert.equal(sw.json().mpm, 'worker');
  assert.equal(h.pool.mpm, 'worker');
  const restart = await h.call({ method: 'POST', url: '/api/v1/pool/restart' });
  assert.deepEqual(restart.json(), { action: 'restart', mpm: 'worker', generation: gen + 2, newGeneration: true });
  const graceful = await h.call({ method: 'POST', url: '/api/v1/pool/graceful-restart' });
  assert.equal(graceful.json().generation, gen + 3);
  assert.equal((await dataGet(h.port, '/')).status, 200);
  const entries = (await h.call({ url: '/api/v1/audit?limit=3' })).json().entries;
  assert.deepEqual(entries.map((e: AuditEntry) => e.action), ['pool.graceful-restart', 'pool.restart', 'mpm.switch']);
  assert.deepEqual(entries[2].before, { mpm: 'prefork', generation: gen });
});

test('GET /audit pages newest first with next', async () => {
  const all = (await h.call({ url: '/api/v1/audit?limit=500', as: 'viewer' })).json().entries;
  assert.ok(all.length >= 7);
  const page1 = (await h.call({ url: '/api/v1/audit?limit=3' })).json();
  assert.deepEqual(page1.entries.map((e: AuditEntry) => e.id), all.slice(0, 3).map((e: AuditEntry) => e.id));
  const page2 = (await h.call({ url: `/api/v1/audit?limit=3&before=${page1.next}` })).json();
  assert.deepEqual(page2.entries.map((e: AuditEntry) => e.id), all.slice(3, 6).map((e: AuditEntry) => e.id));
  const last = (await h.call({ url: `/api/v1/audit?limit=500&before=${all[all.length - 2].id}` })).json();
  assert.equal(last.entries.length, 1);
  assert.equal(last.next, null);
});

test('GET /api/v1/openapi.json: an OpenAPI 3 document of every route, with problem responses', async () => {
  const doc = (await h.call({ url: '/api/v1/openapi.json', as: null })).json();
  assert.match(doc.openapi, /^3\./);
  for (const path of ['/api/v1/status', '/api/v1/directives', '/api/v1/directives/validate', '/api/v1/mpm', '/api/v1/pool/graceful-restart', '/api/v1/pool/restart', '/api/v1/pool/graceful-stop', '/api/v1/children/{pid}/kill', '/api/v1/children/{pid}/recycle', '/api/v1/audit', '/api/v1/stream/ticket', '/metrics', '/server-status']) {
    assert.ok(doc.paths[path], `${path} documented`);
  }
  assert.ok(doc.paths['/api/v1/directives'].patch.requestBody.content['application/json'].schema.properties.MaxRequestWorkers);
  assert.ok(doc.paths['/api/v1/mpm'].post.responses['4XX']);
  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
});

test('mounted as a plugin under a prefix of an ops tool’s own app', async () => {
  const host = Fastify();
  host.get('/health', async () => ({ ok: true }));
  await host.register(controlPlane, { prefix: '/forkyard', pool: h.pool, store: h.store, tokens: [{ name: 'viewer', role: 'viewer', token: h.viewer }] });
  try {
    const auth = { authorization: `Bearer ${h.viewer}` };
    assert.equal((await host.inject({ url: '/health' })).statusCode, 200);
    assert.equal((await host.inject({ url: '/forkyard/api/v1/status', headers: auth })).json().mpm, h.pool.mpm);
    assert.match((await host.inject({ url: '/forkyard/server-status?auto', headers: auth })).body, /^Scoreboard: /m);
    const missing = await host.inject({ url: '/forkyard/api/v1/nope', headers: auth });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'FY_NOT_FOUND');
  } finally {
    await host.close();
  }
});

test('graceful stop answers 202, stops the pool and announces it', async () => {
  const stopped = new Promise((resolve) => h.app.forkyardEvents.once('stopped', resolve));
  const res = await h.call({ method: 'POST', url: '/api/v1/pool/graceful-stop' });
  assert.equal(res.statusCode, 202, res.body);
  await stopped;
  const after = await h.call({ method: 'POST', url: '/api/v1/pool/graceful-restart' });
  assert.equal(after.statusCode, 409);
  assert.equal(after.json().code, 'FY_STATE');
});
