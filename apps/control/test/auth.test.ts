import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { loadOrCreateTokens } from '../src/index.js';
import { problemOf, startHarness, tempDir, type Harness } from './helpers.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';

let h: Harness;
before(async () => {
  h = await startHarness({ app: { ticketTtlMs: 300 } });
});

test('no token: 401 problem with a Bearer challenge, for reads and changes alike', async () => {
  for (const [method, url] of [['GET', '/api/v1/status'], ['GET', '/metrics'], ['GET', '/server-status?auto'], ['POST', '/api/v1/pool/graceful-restart']] as const) {
    const res = await h.call({ method, url, as: null });
    assert.equal(res.statusCode, 401, `${method} ${url}`);
    assert.equal(problemOf(res).code, 'FY_UNAUTHORIZED');
    assert.match(String(res.headers['www-authenticate']), /^Bearer realm="forkyard"/);
  }
});

test('a wrong or malformed token: 401 invalid_token', async () => {
  for (const authorization of [`Bearer ${h.operator}x`, 'Bearer nope', `Basic ${h.operator}`, 'Bearer', `Bearer ${'a'.repeat(5000)}`]) {
    const res = await h.app.inject({ url: '/api/v1/status', headers: { authorization } });
    assert.equal(res.statusCode, 401, authorization.slice(0, 40));
    assert.equal(problemOf(res).code, 'FY_UNAUTHORIZED');
  }
});

test('a viewer reads but cannot change (403, pool untouched); an operator can', async () => {
  assert.equal((await h.call({ url: '/api/v1/directives', as: 'viewer' })).statusCode, 200);
  const before = h.pool.directives.MaxSpareServers;
  const denied = await h.call({ method: 'PATCH', url: '/api/v1/directives', as: 'viewer', payload: { MaxSpareServers: before + 1 } });
  assert.equal(denied.statusCode, 403);
  assert.equal(problemOf(denied).code, 'FY_FORBIDDEN');
  assert.equal(h.pool.directives.MaxSpareServers, before);
  const ok = await h.call({ method: 'PATCH', url: '/api/v1/directives', payload: { MaxSpareServers: before + 1 } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(h.pool.directives.MaxSpareServers, before + 1);
  const audit = (await h.call({ url: '/api/v1/audit?limit=1', as: 'viewer' })).json();
  assert.equal(audit.entries[0].actor, 'operator');
});

test('stream tickets: authenticated, single use, expiring, never issued without a token', async () => {
  const noToken = await h.call({ method: 'POST', url: '/api/v1/stream/ticket', as: null });
  assert.equal(noToken.statusCode, 401);
  const res = await h.call({ method: 'POST', url: '/api/v1/stream/ticket', as: 'viewer' });
  assert.equal(res.statusCode, 200);
  const { ticket, expiresAt } = res.json();
  assert.ok(typeof ticket === 'string' && ticket.length >= 24);
  assert.ok(expiresAt > Date.now());
  assert.equal(h.app.forkyardAuth.redeemTicket(ticket), 'viewer');
  assert.equal(h.app.forkyardAuth.redeemTicket(ticket), null, 'second use');
  assert.equal(h.app.forkyardAuth.redeemTicket('made-up'), null);
  const op = (await h.call({ method: 'POST', url: '/api/v1/stream/ticket' })).json();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(h.app.forkyardAuth.redeemTicket(op.ticket), null, 'expired');
});

test('authenticate() reads the Bearer header for the stream route', async () => {
  const fake = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as never;
  assert.equal(h.app.forkyardAuth.authenticate(fake(`Bearer ${h.operator}`)), 'operator');
  assert.equal(h.app.forkyardAuth.authenticate(fake(`Bearer ${h.viewer}`)), 'viewer');
  assert.equal(h.app.forkyardAuth.authenticate(fake('Bearer wrong')), null);
  assert.equal(h.app.forkyardAuth.authenticate(fake()), null);
  assert.equal(h.app.forkyardAuth.openRead, false);
});

test('openRead: loopback reads need no token, changes still do, a bad token is still refused', async () => {
  const o = await startHarness({ app: { openRead: true } });
  assert.equal((await o.call({ url: '/api/v1/status', as: null })).statusCode, 200);
  assert.equal((await o.call({ url: '/server-status?auto', as: null })).statusCode, 200);
  assert.equal((await o.call({ method: 'POST', url: '/api/v1/pool/restart', as: null })).statusCode, 401);
  assert.equal((await o.call({ url: '/api/v1/status', as: 'bogus' })).statusCode, 401);
  const remote = await o.app.inject({ url: '/api/v1/status', remoteAddress: '192.0.2.7' });
  assert.equal(remote.statusCode, 401, 'open reads are for loopback clients only');
  await o.close();
});

test('tokens: generated once, mode 0600, kept across loads; FORKYARD_TOKEN adds env-operator', () => {
  const dir = tempDir();
  const first = loadOrCreateTokens(dir, '');
  assert.equal(first.created, true);
  assert.equal(statSync(join(dir, 'tokens.json')).mode & 0o777, 0o600);
  const second = loadOrCreateTokens(dir, 'my-own-operator-token');
  assert.equal(second.created, false);
  assert.deepEqual(second.tokens.slice(0, 2), first.tokens);
  assert.deepEqual(second.tokens[2], { name: 'env-operator', role: 'operator', token: 'my-own-operator-token' });
  assert.notEqual(first.tokens[0]!.token, first.tokens[1]!.token);
});
