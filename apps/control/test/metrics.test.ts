/**
 * /metrics scraped and parsed with a real Prometheus text parser, checked against the load
 * this test generates; /server-status?auto on the control plane has the data plane's lines.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { before, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { buildApp } from '../src/index.js';
import { dataGet, startHarness, waitFor, type Harness } from './helpers.js';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value: string; labels?: Record<string, string> }>;
}

let h: Harness;
before(async () => {
  h = await startHarness({
    pool: { mpm: 'prefork', listen: '127.0.0.1:0', directives: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 2, MaintenanceInterval: 200 } },
  });
});

async function scrape(as: string = 'viewer'): Promise<Map<string, Family>> {
  const res = await h.call({ url: '/metrics', as });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return new Map((parsePrometheusTextFormat(res.body) as Family[]).map((f) => [f.name, f]));
}

function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  assert.ok(family, `${name} is exported`);
  const m = family.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m ? Number(m.value) : NaN;
}

test('counters follow the requests served: accesses, bytes, request durations', async () => {
  for (let i = 0; i < 10; i++) assert.equal((await dataGet(h.port, '/bytes?n=1000')).status, 200);
  const m = await waitFor('10 accesses', async () => {
    const f = await scrape();
    return value(f, 'forkyard_accesses_total') === 10 ? f : null;
  });
  assert.equal(m.get('forkyard_accesses_total')!.type, 'COUNTER');
  assert.ok(value(m, 'forkyard_sent_bytes_total') >= 10_000, 'bytes');
  await Promise.all([dataGet(h.port, '/sleep?ms=400'), dataGet(h.port, '/sleep?ms=400')]);
  const d = await waitFor('12 accesses', async () => {
    const f = await scrape();
    return value(f, 'forkyard_accesses_total') === 12 ? f : null;
  });
  assert.ok(value(d, 'forkyard_request_duration_seconds_total') >= 0.8, `duration ${value(d, 'forkyard_request_duration_seconds_total')}`);
});

test('gauges follow the load: busy workers, the accept queue, slots by state, processes by generation', async () => {
  // MaxRequestWorkers 2: two slow requests fill the pool, the third waits in the accept queue.
  const slow = [dataGet(h.port, '/sleep?ms=2500'), dataGet(h.port, '/sleep?ms=2500')];
  await waitFor('two busy workers', async () => value(await scrape(), 'forkyard_busy_workers') === 2, 5000);
  const queued = dataGet(h.port, '/');
  const m = await waitFor('one queued connection', async () => {
    const f = await scrape();
    return value(f, 'forkyard_accept_queue_depth') === 1 ? f : null;
  }, 5000);
  assert.equal(value(m, 'forkyard_busy_workers'), 2);
  assert.equal(value(m, 'forkyard_scoreboard_slots', { state: 'reply' }), 2);
  assert.equal(value(m, 'forkyard_idle_workers'), 0);
  assert.equal(value(m, 'forkyard_processes', { generation: '0' }), 2);
  assert.equal(value(m, 'forkyard_info', { mpm: 'prefork' }), 1);
  // Queued within ListenBacklog, not refused (the refusals themselves: the engine's accept-backlog test).
  assert.equal(m.get('forkyard_accept_refused_total')!.type, 'COUNTER');
  assert.equal(value(m, 'forkyard_accept_refused_total'), 0);
  await Promise.all([...slow, queued]);
  await waitFor('the queue drained', async () => value(await scrape(), 'forkyard_accept_queue_depth') === 0);
});

test('forkyard_standby_ready is 1 once the standby has booted, and it is not a counted process', async () => {
  const m = await waitFor('a booted standby', async () => {
    const f = await scrape();
    return value(f, 'forkyard_standby_ready') === 1 ? f : null;
  }, 20_000);
  assert.equal(m.get('forkyard_standby_ready')!.type, 'GAUGE');
  assert.ok(h.pool.standby?.booted, 'the pool reports the same standby');
  const inSlots = h.pool.snapshot().processes.filter((p) => p.pid > 0).map((p) => p.pid);
  assert.equal(inSlots.includes(h.pool.standby!.pid), false);
  // Every standby, by state, as the pool lists them (more than one after the load above made
  // children faster than one boots).
  const booted = value(m, 'forkyard_standbys', { state: 'booted' });
  const booting = value(m, 'forkyard_standbys', { state: 'booting' });
  assert.ok(booted >= 1 && booted + booting <= 3, `booted ${booted}, booting ${booting}`);
  const listed = h.pool.standbys;
  assert.ok(listed.some((s) => s.pid === h.pool.standby!.pid));
  assert.equal(listed.filter((s) => s.booted).length >= 1, true);
});

test('a kept-alive connection is counted', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: h.port, path: '/', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
  await waitFor('a K slot', async () => value(await scrape(), 'forkyard_keepalive_connections') >= 1, 5000);
  agent.destroy();
});

test('spawns and exits are counted by reason, from the pool’s events', async () => {
  const before = await scrape();
  const exitsBefore = value(before, 'forkyard_child_exits_total', { reason: 'killed' }) || 0;
  const pid = h.pool.snapshot().processes.find((p) => p.pid !== 0)!.pid;
  assert.equal((await h.call({ method: 'POST', url: `/api/v1/children/${pid}/kill` })).statusCode, 200);
  const m = await waitFor('a replacement child counted', async () => {
    const f = await scrape();
    return value(f, 'forkyard_child_spawns_total', { mpm: 'prefork' }) >= 1 ? f : null;
  });
  assert.equal(value(m, 'forkyard_child_exits_total', { reason: 'killed' }), exitsBefore + 1);
});

test('two control planes in one process keep separate registries', async () => {
  const second = await buildApp({ pool: h.pool, store: h.store, tokens: [{ name: 'viewer', role: 'viewer', token: h.viewer }] });
  try {
    const a = await h.call({ url: '/metrics' });
    const b = await second.inject({ url: '/metrics', headers: { authorization: `Bearer ${h.viewer}` } });
    assert.equal(b.statusCode, 200);
    const names = (body: string) => (parsePrometheusTextFormat(body) as Family[]).map((f) => f.name).sort();
    assert.deepEqual(names(b.body), names(a.body));
    // Counted from events since each app was built: the new one missed the spawns before it.
    const spawns = (body: string) =>
      (parsePrometheusTextFormat(body) as Family[]).find((f) => f.name === 'forkyard_child_spawns_total')!.metrics.reduce((n, m) => n + Number(m.value), 0);
    assert.ok(spawns(b.body) < spawns(a.body), `${spawns(b.body)} < ${spawns(a.body)}`);
  } finally {
    await second.close();
  }
});

function fields(text: string): string[] {
  return text.trimEnd().split('\n').map((line) => line.split(':')[0]!);
}

test('/server-status?auto on the control plane has the data plane’s lines; refresh sends a Refresh header', async () => {
  const control = await h.call({ url: '/server-status?auto' });
  assert.equal(control.statusCode, 200);
  assert.equal(control.headers['content-type'], 'text/plain; charset=ISO-8859-1');
  const data = await dataGet(h.port, '/server-status?auto');
  assert.equal(data.status, 200);
  const cf = fields(control.body);
  const df = fields(data.body);
  assert.deepEqual(cf.slice(1), df.slice(1), 'same fields in the same order (the first line is the host asked for)');
  assert.ok(cf.includes('Scoreboard') && cf.includes('ForkyardAcceptQueue'));
  const board = (t: string) => t.split('\n').find((l) => l.startsWith('Scoreboard: '))!.length;
  assert.equal(board(control.body), board(data.body));
  const html = await h.call({ url: '/server-status?refresh=3' });
  assert.equal(html.headers.refresh, '3');
  assert.match(html.body, /<title>Apache Status<\/title>/);
});
