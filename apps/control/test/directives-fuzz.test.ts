/**
 * Fuzzes the directive endpoints with generated bad input: random names (misspellings, unicode,
 * prototype keys), values of every JSON type (huge and tiny numbers, long and odd strings,
 * nesting), bodies that are not objects, and broken JSON text. Every answer must be a 2xx or a
 * 4xx problem document — never a 5xx — and every rejected change must leave the pool's
 * directives exactly as they were. Seeded, so a failure reproduces.
 */

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DIRECTIVES } from '@forkyard/engine';
import { problemOf, startHarness, type Harness } from './helpers.js';

const CASES = 500;
const SEED = Number(process.env.FORKYARD_FUZZ_SEED ?? 20261127);

/** mulberry32: small, fast, good enough to pick cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number): number => Math.floor(rand() * n);

const NAMES = DIRECTIVES.map((d) => d.name);

function randomString(): string {
  const alphabets = ['abcXYZ019', ' \t\n\\"\'{}[]:,', 'éß漢字🙂\u0000\u202e', '%$#@!&*()_+-=~`<>?/|'];
  const alphabet = [...pick(alphabets)];
  return Array.from({ length: int(pick([4, 16, 80, 300])) }, () => pick(alphabet)).join('');
}

function name(): string {
  const base = pick(NAMES);
  switch (int(8)) {
    case 0:
      return base.toLowerCase();
    case 1:
      return base.slice(0, -1);
    case 2:
      return `${base}s`;
    case 3:
      return randomString();
    case 4:
      return pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'MaxClients']);
    default:
      return base;
  }
}

function value(depth = 0): unknown {
  switch (int(depth > 2 ? 9 : 12)) {
    case 0:
      return pick([-1, -0.5, 0, 1e-300, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 2 ** 31, Number.MAX_SAFE_INTEGER, 65536, 3.5, 1e21]);
    case 1:
      return int(1_000_000_000) - 500_000_000;
    case 2:
      return pick(['On', 'off', 'TRUE', 'yes', '500ms', '2min', '1h', '-5s', '1e3', '0x10', ' 12 ', '', 'NaN', 'Infinity']);
    case 3:
      return randomString();
    case 4:
      return rand() < 0.5;
    case 5:
      return null;
    case 6:
      return String(int(100_000));
    case 7:
      return 'x'.repeat(int(200));
    case 8:
      return int(300);
    case 9:
      return Array.from({ length: int(4) }, () => value(depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(4) }, () => [name(), value(depth + 1)]));
  }
}

/** A body with at least one field the engine must refuse, so a PATCH/PUT can never apply. */
function poisoned(): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let i = int(6); i > 0; i--) body[name()] = value();
  const poison = pick<[string, unknown]>([
    [`${pick(NAMES)}Typo`, 1],
    ['StartServers', -1],
    ['MaintenanceInterval', 1],
    ['KeepAlive', 'perhaps'],
    ['Timeout', 0],
    ['ServerLimit', 1e12],
    ['AsyncRequestWorkerFactor', 0],
    ['ThreadsPerChild', { nested: true }],
    ['MaxRequestWorkers', [16]],
    ['ListenBacklog', null],
  ]);
  body[poison[0]] = poison[1];
  return body;
}

/** Raw text: not an object, or not JSON at all. */
function rawText(): string {
  return pick([
    () => JSON.stringify(value()),
    () => '{"StartServers": 1,,}',
    () => '{' + randomString(),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
    () => JSON.stringify({ StartServers: 'x'.repeat(70_000) }),
    () => '\uFEFF{}x',
    () => JSON.stringify(randomString()),
    () => '{"__proto__": {"polluted": 1}, "StartServers": 1}',
    () => `{"StartServers": ${'9'.repeat(400)}}`,
  ])();
}

function isObjectText(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

let h: Harness;
before(async () => {
  h = await startHarness();
});

test(`${CASES} generated bad inputs: only 2xx or 4xx problem documents, and a rejected change changes nothing`, { timeout: 25_000 }, async () => {
  const started = Date.now();
  const seen = new Map<number, number>();
  const auditBefore = (await h.call({ url: '/api/v1/audit' })).json().entries.length;
  for (let i = 0; i < CASES; i++) {
    const method = pick(['PATCH', 'PUT', 'POST'] as const);
    const url = method === 'POST' ? pick(['/api/v1/directives/validate', '/api/v1/directives/validate?mode=replace']) : '/api/v1/directives';
    const asText = rand() < 0.3;
    let payload: unknown = asText ? rawText() : method === 'POST' && rand() < 0.5 ? Object.fromEntries(Array.from({ length: int(5) }, () => [name(), value()])) : poisoned();
    // Raw text that happens to be a valid object would be a real change: poison it too.
    if (method !== 'POST' && typeof payload === 'string' && isObjectText(payload)) payload = poisoned();
    const before = { ...h.pool.directives };
    const generation = h.pool.generation;
    const res = await h.call({
      method,
      url,
      headers: { 'content-type': pick(['application/json', 'application/json; charset=utf-8', ...(rand() < 0.1 ? ['text/plain', 'application/xml'] : [])]) },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    const what = `case ${i} (seed ${SEED}): ${method} ${url} ${(typeof payload === 'string' ? payload : JSON.stringify(payload)).slice(0, 200)}`;
    seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
    assert.ok(res.statusCode < 500, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400) {
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, what);
      const p = problemOf(res);
      if (p.code === 'FY_VALIDATION') assert.ok(p.errors.length > 0, `${what}: a validation problem names its fields`);
    } else {
      assert.equal(method, 'POST', `${what}: a poisoned change was applied (${res.statusCode})`);
    }
    if (method !== 'POST' || res.statusCode >= 400) {
      assert.deepEqual(h.pool.directives, before, `${what}: the pool's directives changed`);
      assert.equal(h.pool.generation, generation, what);
    }
  }
  const auditAfter = (await h.call({ url: '/api/v1/audit' })).json().entries.length;
  assert.equal(auditAfter, auditBefore, 'rejected bodies are not changes: nothing was audited');
  assert.ok((seen.get(400) ?? 0) > CASES / 2, `mostly 400s: ${JSON.stringify([...seen])}`);
  assert.ok(Date.now() - started < 20_000);
});
