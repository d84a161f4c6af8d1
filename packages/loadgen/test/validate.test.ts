/**
 * Spec validation is pure: defaults fill every field, every out-of-bounds field is reported at
 * once with a stable code, and startLoadTest refuses a bad spec before any thread starts.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS, FIELD_ERROR_CODES, LIMITS, LoadgenError, rampLevels, startLoadTest, validateSpec, type FieldError } from '@forkyard/loadgen';

function errorsOf(input: unknown): FieldError[] {
  const v = validateSpec(input);
  assert.equal(v.ok, false, `expected ${JSON.stringify(input)} to be refused`);
  return v.ok ? [] : v.errors;
}

const byField = (errors: FieldError[]): Record<string, string> => Object.fromEntries(errors.map((e) => [e.field, e.code]));

test('a bare scenario gets every default', () => {
  for (const scenario of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const v = validateSpec({ scenario });
    assert.ok(v.ok, scenario);
    assert.deepEqual(v.spec, DEFAULTS[scenario]);
  }
});

test('given fields override the defaults', () => {
  const v = validateSpec({ scenario: 'slow', mode: 'open', rate: 300, sleepMs: 250, durationSeconds: 5 });
  assert.ok(v.ok);
  assert.deepEqual(v.spec, { ...DEFAULTS.slow, mode: 'open', rate: 300, sleepMs: 250, durationSeconds: 5 });
});

test('every out-of-bounds field is reported at once with FY_RANGE', () => {
  const errors = errorsOf({ scenario: 'hello', durationSeconds: 301, connections: 2001, rate: 50_001, timeoutMs: 10 });
  assert.deepEqual(byField(errors), { durationSeconds: 'FY_RANGE', connections: 'FY_RANGE', rate: 'FY_RANGE', timeoutMs: 'FY_RANGE' });
  assert.match(errors.find((e) => e.field === 'connections')?.message ?? '', /between 1 and 2000/);
});

test('the hard limits themselves are accepted', () => {
  assert.ok(validateSpec({ scenario: 'hello', durationSeconds: LIMITS.durationSeconds, connections: LIMITS.connections, rate: LIMITS.rate }).ok);
  assert.ok(validateSpec({ scenario: 'idle-keepalive', idleClients: LIMITS.idleClients }).ok);
  assert.deepEqual(byField(errorsOf({ scenario: 'idle-keepalive', idleClients: 5_001, probeRate: 0 })), { idleClients: 'FY_RANGE', probeRate: 'FY_RANGE' });
});

test('wrong types, unknown fields, bad enums and bad paths each have their code', () => {
  const errors = errorsOf({ scenario: 'ramp', mode: 'sideways', steps: 2.5, stepSeconds: '3', path: 'no-slash', sleepMs: 5 });
  assert.deepEqual(byField(errorsOf({ scenario: 'idle-keepalive', probePath: '/a b' })), { probePath: 'FY_FORMAT' });
  assert.deepEqual(byField(errors), {
    mode: FIELD_ERROR_CODES.enum,
    steps: FIELD_ERROR_CODES.type,
    stepSeconds: FIELD_ERROR_CODES.type,
    path: FIELD_ERROR_CODES.format,
    sleepMs: FIELD_ERROR_CODES.unknownField,
  });
  assert.deepEqual(byField(errorsOf({ scenario: 'idle-keepalive', reconnect: 'yes' })), { reconnect: 'FY_TYPE' });
});

test('scenario is required and must be known; the input must be an object', () => {
  assert.deepEqual(byField(errorsOf({})), { scenario: 'FY_REQUIRED' });
  assert.deepEqual(byField(errorsOf({ scenario: 'flood' })), { scenario: 'FY_ENUM' });
  assert.deepEqual(byField(errorsOf([1, 2])), { '': 'FY_TYPE' });
  assert.deepEqual(byField(errorsOf(null)), { '': 'FY_TYPE' });
});

test('ramp: bounds follow the mode, from ≤ to, and steps × stepSeconds ≤ 300 s', () => {
  assert.deepEqual(byField(errorsOf({ scenario: 'ramp', mode: 'closed', from: 10, to: 2_500 })), { to: 'FY_RANGE' });
  assert.ok(validateSpec({ scenario: 'ramp', mode: 'open', from: 10, to: 2_500 }).ok);
  assert.deepEqual(byField(errorsOf({ scenario: 'ramp', from: 50, to: 10 })), { from: 'FY_LOADTEST_RAMP_ORDER' });
  assert.deepEqual(byField(errorsOf({ scenario: 'ramp', steps: 20, stepSeconds: 16 })), { stepSeconds: 'FY_LOADTEST_TOO_LONG' });
  const open = validateSpec({ scenario: 'ramp', mode: 'open' });
  assert.ok(open.ok && open.spec.scenario === 'ramp');
  assert.deepEqual([open.spec.from, open.spec.to], [100, 2_000]);
});

test('rampLevels spreads the steps evenly from `from` to `to`', () => {
  assert.deepEqual(rampLevels(8, 128, 5), [8, 38, 68, 98, 128]);
  assert.deepEqual(rampLevels(1, 4, 2), [1, 4]);
  assert.deepEqual(rampLevels(5, 9, 1), [9]);
});

test('startLoadTest refuses a bad spec or a refused target before starting anything', () => {
  assert.throws(
    () => startLoadTest({ scenario: 'hello', connections: 0, durationSeconds: 1_000 }, { target: 'http://127.0.0.1:9' }),
    (error: unknown) =>
      error instanceof LoadgenError &&
      error.code === 'FY_VALIDATION' &&
      error.errors.map((e) => e.field).sort().join() === 'connections,durationSeconds',
  );
  assert.throws(
    () => startLoadTest({ scenario: 'hello' }, { target: 'http://192.0.2.10:80' }),
    (error: unknown) => error instanceof LoadgenError && error.code === 'FY_LOADTEST_TARGET_REFUSED',
  );
});
