import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { problemOf, startHarness, type Harness } from './helpers.js';

let h: Harness;
let baseline: { directives: unknown; generation: number; mpm: string; audit: number };

before(async () => {
  h = await startHarness();
  baseline = await state();
});

async function state() {
  const audit = (await h.call({ url: '/api/v1/audit?limit=500' })).json().entries.length as number;
  return { directives: { ...h.pool.directives }, generation: h.pool.generation, mpm: h.pool.mpm, audit };
}

/** Sends a request that must be refused with `status`/`code`, and leaves the pool as it was. */
async function refused(opts: Parameters<Harness['call']>[0], status: number, code: string) {
  const res = await h.call(opts);
  assert.equal(res.statusCode, status, `${opts.method ?? 'GET'} ${opts.url}: ${res.body.slice(0, 300)}`);
  const p = problemOf(res);
  assert.equal(p.code, code);
  assert.equal(p.type, `urn:forkyard:problem:${code}`);
  assert.deepEqual(await state(), baseline, 'the pool is untouched and nothing is audited');
  return p;
}

const json = { 'content-type': 'application/json' };

test('malformed JSON, an empty JSON body and prototype poisoning are FY_BAD_JSON', async () => {
  await refused({ method: 'PATCH', url: '/api/v1/directives', headers: json, payload: '{"StartServers": 2,' }, 400, 'FY_BAD_JSON');
  await refused({ method: 'PATCH', url: '/api/v1/directives', headers: json, payload: '' }, 400, 'FY_BAD_JSON');
  await refused({ method: 'PATCH', url: '/api/v1/directives', headers: json, payload: '{"__proto__": {"StartServers": 9}}' }, 400, 'FY_BAD_JSON');
  await refused({ method: 'POST', url: '/api/v1/mpm', headers: json, payload: '{"constructor": {"prototype": {"x": 1}}}' }, 400, 'FY_BAD_JSON');
});

test('wrong types, unknown fields and out-of-range values: FY_VALIDATION with every field error', async () => {
  const p = await refused(
    { method: 'PATCH', url: '/api/v1/directives', payload: { StartServer: 2, MaxSpareServers: 'lots', MaintenanceInterval: 5, KeepAlive: { on: true }, Bogus: [1] } },
    400,
    'FY_VALIDATION',
  );
  const byField = Object.fromEntries(p.errors.map((e) => [e.field, e]));
  assert.deepEqual(Object.keys(byField).sort(), ['Bogus', 'KeepAlive', 'MaintenanceInterval', 'MaxSpareServers', 'StartServer']);
  assert.equal(byField.StartServer!.code, 'FY_DIRECTIVE_UNKNOWN');
  assert.match(byField.StartServer!.message, /did you mean StartServers\?/);
  assert.equal(byField.MaxSpareServers!.code, 'FY_DIRECTIVE_TYPE');
  assert.equal(byField.MaintenanceInterval!.code, 'FY_DIRECTIVE_RANGE');
  assert.equal(byField.KeepAlive!.code, 'FY_DIRECTIVE_TYPE');
  assert.equal(p.detail, '5 fields are invalid');
  // Atomic: a valid field beside an invalid one is not applied either.
  await refused({ method: 'PUT', url: '/api/v1/directives', payload: { MaxSpareServers: 9, StartServers: -1 } }, 400, 'FY_VALIDATION');
  await refused({ method: 'POST', url: '/api/v1/directives/validate', payload: { ThreadsPerChild: 1e12 } }, 400, 'FY_VALIDATION');
});

test('bodies that are not objects, and bodies of the wrong media type', async () => {
  for (const payload of ['[1,2]', 'null', '"StartServers"', '42', 'true']) {
    const p = await refused({ method: 'PATCH', url: '/api/v1/directives', headers: json, payload }, 400, 'FY_VALIDATION');
    assert.deepEqual(p.errors.map((e) => e.field), ['']);
  }
  await refused({ method: 'PATCH', url: '/api/v1/directives', headers: { 'content-type': 'text/plain' }, payload: 'StartServers=2' }, 415, 'FY_UNSUPPORTED_MEDIA_TYPE');
  await refused({ method: 'POST', url: '/api/v1/mpm', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'mpm=event' }, 415, 'FY_UNSUPPORTED_MEDIA_TYPE');
  await refused({ method: 'POST', url: '/api/v1/mpm' }, 400, 'FY_VALIDATION');
});

test('oversized bodies are FY_BODY_TOO_LARGE', async () => {
  await refused({ method: 'PATCH', url: '/api/v1/directives', headers: json, payload: JSON.stringify({ StartServers: 'x'.repeat(100_000) }) }, 413, 'FY_BODY_TOO_LARGE');
});

test('MPM switch: unknown MPM and extra fields name the field', async () => {
  const p = await refused({ method: 'POST', url: '/api/v1/mpm', payload: { mpm: 'threaded', force: true } }, 400, 'FY_VALIDATION');
  assert.deepEqual(p.errors.map((e) => [e.field, e.code]).sort(), [['force', 'FY_UNKNOWN_FIELD'], ['mpm', 'FY_VALUE']]);
  assert.match(p.errors.find((e) => e.field === 'mpm')!.message, /"prefork", "worker", "event"/);
});

test('path and query parameters: wrong type, out of range, unknown', async () => {
  await refused({ method: 'POST', url: '/api/v1/children/abc/kill' }, 400, 'FY_VALIDATION');
  await refused({ method: 'POST', url: '/api/v1/children/0/recycle' }, 400, 'FY_VALIDATION');
  await refused({ url: '/api/v1/audit?limit=abc' }, 400, 'FY_VALIDATION');
  await refused({ url: '/api/v1/audit?limit=100000' }, 400, 'FY_VALIDATION');
  await refused({ url: '/api/v1/audit?sort=asc' }, 400, 'FY_VALIDATION');
  await refused({ method: 'POST', url: '/api/v1/directives/validate?mode=all', payload: {} }, 400, 'FY_VALIDATION');
});

test('unknown routes and methods are FY_NOT_FOUND', async () => {
  await refused({ url: '/api/v1/nothing-here' }, 404, 'FY_NOT_FOUND');
  await refused({ url: '/api/v2/status' }, 404, 'FY_NOT_FOUND');
  await refused({ method: 'DELETE', url: '/api/v1/directives' }, 404, 'FY_NOT_FOUND');
  await refused({ url: '/metrics/nothing-here', as: null }, 404, 'FY_NOT_FOUND');
  await refused({ method: 'DELETE', url: '/', as: null }, 404, 'FY_NOT_FOUND');
});

test('the dashboard answers at / and for its page paths, never for API paths', async () => {
  const page = await h.call({ url: '/', as: null });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /<title>Forkyard<\/title>/);
  const deep = await h.call({ url: '/some/page', as: null });
  assert.equal(deep.statusCode, 200, 'page paths fall back to the single page');
});

test('a pid that is not a child of this pool: FY_CHILD_UNKNOWN, audited as a failed change', async () => {
  const res = await h.call({ method: 'POST', url: `/api/v1/children/${process.pid}/kill` });
  assert.equal(res.statusCode, 404);
  assert.equal(problemOf(res).code, 'FY_CHILD_UNKNOWN');
  const last = (await h.call({ url: '/api/v1/audit?limit=1' })).json().entries[0];
  assert.equal(last.action, 'child.kill');
  assert.equal(last.result, 'FY_CHILD_UNKNOWN');
  baseline = await state();
});

test('a second change while one rolls: 409 FY_BUSY', async () => {
  const [a, b] = await Promise.all([
    h.call({ method: 'POST', url: '/api/v1/pool/graceful-restart' }),
    h.call({ method: 'POST', url: '/api/v1/pool/graceful-restart' }),
  ]);
  const codes = [a.statusCode, b.statusCode].sort();
  assert.deepEqual(codes, [200, 409]);
  assert.equal(problemOf(a.statusCode === 409 ? a : b).code, 'FY_BUSY');
  const entries = (await h.call({ url: '/api/v1/audit?limit=2' })).json().entries;
  assert.deepEqual(entries.map((e: { result: string }) => e.result).sort(), ['FY_BUSY', 'ok']);
});
