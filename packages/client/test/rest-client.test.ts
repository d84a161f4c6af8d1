import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ForkyardApiError, ForkyardClient, ForkyardClientError } from '../src/index.js';
import { problem, startFakeControl, type FakeControl } from './fixtures/fake-control.js';
import { snapshot } from './fixtures/snapshots.js';

describe('ForkyardClient', () => {
  let fake: FakeControl;
  let api: ForkyardClient;
  before(async () => {
    fake = await startFakeControl();
    api = new ForkyardClient({ url: `${fake.url}/`, token: 'tok-123' });
  });
  after(() => fake.close());

  it('calls each REST route with its method, path, body and the bearer token', async () => {
    const ok = (body: unknown) => () => ({ status: 200, body });
    const applied = { mpm: 'worker', generation: 2, newGeneration: false, effective: { MaxRequestWorkers: 64 }, warnings: [], notes: [] };
    const lifecycle = { action: 'restart', mpm: 'worker', generation: 3, newGeneration: true };
    fake.routes.set('GET /api/v1/status', ok(snapshot(1)));
    fake.routes.set('GET /api/v1/directives', ok({ mpm: 'worker' }));
    fake.routes.set('POST /api/v1/directives/validate', ok({ ok: true }));
    fake.routes.set('PATCH /api/v1/directives', ok(applied));
    fake.routes.set('PUT /api/v1/directives', ok(applied));
    fake.routes.set('POST /api/v1/mpm', ok(applied));
    fake.routes.set('POST /api/v1/pool/restart', ok(lifecycle));
    fake.routes.set('POST /api/v1/pool/graceful-restart', ok(lifecycle));
    fake.routes.set('POST /api/v1/pool/graceful-stop', () => ({ status: 202, body: { ...lifecycle, action: 'graceful-stop' } }));
    fake.routes.set('POST /api/v1/children/4242/recycle', ok({ pid: 4242, action: 'recycle', exited: true }));
    fake.routes.set('POST /api/v1/children/4242/kill', ok({ pid: 4242, action: 'kill', exited: true }));
    fake.routes.set('GET /api/v1/children', ok({ mpm: 'worker', generation: 1, children: [] }));
    fake.routes.set('GET /api/v1/audit', ok({ entries: [], next: null }));
    fake.routes.set('POST /api/v1/stream/ticket', ok({ ticket: 't', expiresAt: 1 }));

    assert.deepStrictEqual(await api.status(), snapshot(1));
    await api.directives();
    await api.validateDirectives({ MaxRequestWorkers: 400 });
    assert.deepStrictEqual(await api.applyDirectives({ MaxRequestWorkers: 64, KeepAlive: 'Off' }), applied);
    await api.applyDirectives({ StartServers: 2 }, { replace: true });
    await api.switchMpm('event');
    await api.restart();
    await api.restart({ graceful: true });
    assert.equal((await api.stop({ graceful: true })).action, 'graceful-stop');
    await api.childAction(4242, 'recycle');
    await api.childAction(4242, 'kill');
    await api.children();
    await api.audit({ limit: 5, before: 99 });
    assert.deepStrictEqual(await api.streamTicket(), { ticket: 't', expiresAt: 1 });

    assert.deepStrictEqual(
      fake.requests.map((r) => `${r.method} ${r.url} ${r.body === undefined ? '' : JSON.stringify(r.body)}`.trim()),
      [
        'GET /api/v1/status',
        'GET /api/v1/directives',
        'POST /api/v1/directives/validate {"MaxRequestWorkers":400}',
        'PATCH /api/v1/directives {"MaxRequestWorkers":64,"KeepAlive":"Off"}',
        'PUT /api/v1/directives {"StartServers":2}',
        'POST /api/v1/mpm {"mpm":"event"}',
        'POST /api/v1/pool/restart',
        'POST /api/v1/pool/graceful-restart',
        'POST /api/v1/pool/graceful-stop',
        'POST /api/v1/children/4242/recycle',
        'POST /api/v1/children/4242/kill',
        'GET /api/v1/children',
        'GET /api/v1/audit?limit=5&before=99',
        'POST /api/v1/stream/ticket',
      ],
    );
    assert.ok(fake.requests.every((r) => r.headers.authorization === 'Bearer tok-123'));
    assert.ok(fake.requests.filter((r) => r.body !== undefined).every((r) => r.headers['content-type'] === 'application/json'));
  });

  it('raises a ForkyardApiError carrying the problem’s code and every field error', async () => {
    const fields = [{ field: 'StartServers', code: 'FY_DIRECTIVE_RANGE', message: 'StartServers must be at least 1' }];
    fake.routes.set('PATCH /api/v1/directives', () => problem(400, 'FY_VALIDATION', '1 field is invalid', fields));
    const err = await api.applyDirectives({ StartServers: 0 }).catch((e: unknown) => e);
    assert.ok(err instanceof ForkyardApiError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'FY_VALIDATION');
    assert.equal(err.message, '1 field is invalid');
    assert.deepStrictEqual(err.errors, fields);
  });

  it('raises ForkyardClientErrors with stable codes when there is no usable answer', async () => {
    fake.routes.set('GET /api/v1/status', () => ({ status: 502, type: 'text/html', body: '<h1>bad gateway</h1>' }));
    const bad = await api.status().catch((e: unknown) => e);
    assert.ok(bad instanceof ForkyardClientError && bad.code === 'FY_CLIENT_BAD_RESPONSE' && bad.status === 502, String(bad));

    fake.routes.set('GET /api/v1/status', () => ({ status: 200, body: snapshot(1), delayMs: 500 }));
    const slow = await new ForkyardClient({ url: fake.url, timeoutMs: 50 }).status().catch((e: unknown) => e);
    assert.ok(slow instanceof ForkyardClientError && slow.code === 'FY_CLIENT_TIMEOUT', String(slow));

    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const gone = await new ForkyardClient({ url: `http://127.0.0.1:${closed}` }).status().catch((e: unknown) => e);
    assert.ok(gone instanceof ForkyardClientError && gone.code === 'FY_CLIENT_UNREACHABLE', String(gone));
    assert.match(gone.message, /ECONNREFUSED/);

    const hard = await api.stop().catch((e: unknown) => e);
    assert.ok(hard instanceof ForkyardClientError && hard.code === 'FY_CLIENT_UNSUPPORTED');
  });
});
