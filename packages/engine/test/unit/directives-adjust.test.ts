import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adjustDirectives, defaultDirectives, validateAndAdjust } from '../../src/directives/index.js';
import type { DirectiveWarning, Directives, EffectiveDirectives } from '../../src/directives/index.js';
import type { MpmName } from '../../src/scoreboard/types.js';

/** One row per rule of reference §3.2 / §3.3 and per case of §8.5. */
interface Row {
  rule: string;
  mpm: MpmName;
  set: Partial<Directives>;
  /** Every warning id, in httpd's order; [] for silent adjustments. */
  ids: string[];
  /** The warning this row pins, compared in full (id, directive, from, to, message). */
  warning?: DirectiveWarning;
  effective: Partial<EffectiveDirectives>;
}

type Ids = Record<'worker' | 'event', string>;

/** The same rule for worker and event: httpd logs it under a different id in each. */
function threaded(
  rule: string,
  set: Partial<Directives>,
  ids: Ids[],
  effective: Partial<EffectiveDirectives>,
  pinned?: Omit<DirectiveWarning, 'id'> & { id: Ids },
): Row[] {
  return (['worker', 'event'] as const).map((mpm) => ({
    rule: `${mpm}: ${rule}`,
    mpm,
    set,
    ids: ids.map((id) => id[mpm]),
    warning: pinned && { ...pinned, id: pinned.id[mpm] },
    effective,
  }));
}

const SL_HIGH = { worker: 'AH00300', event: 'AH00497' };
const SL_LOW = { worker: 'AH00302', event: 'AH00499' };
const TL_LOW = { worker: 'AH00307', event: 'AH00504' };
const TPC_HIGH = { worker: 'AH00310', event: 'AH00507' };
const TPC_LOW = { worker: 'AH00312', event: 'AH00509' };
const MRW_BELOW_TPC = { worker: 'AH00314', event: 'AH00511' };
const MRW_MULTIPLE = { worker: 'AH00316', event: 'AH00513' };
const MRW_SERVER_LIMIT = { worker: 'AH00318', event: 'AH00515' };
const START_SERVERS = { worker: 'AH00320', event: 'AH00517' };
const MIN_SPARE_THREADS = { worker: 'AH00322', event: 'AH00519' };

const ROWS: Row[] = [
  // §3.2 prefork
  { rule: 'prefork: defaults need no adjustment', mpm: 'prefork', set: {}, ids: [],
    effective: { MaxRequestWorkers: 256, MaxDaemons: 256, MaxSpareServers: 10, ThreadsPerChild: 1, ThreadLimit: 1 } },
  { rule: 'prefork 1: ServerLimit > 200000 → 200000 (AH00175)', mpm: 'prefork', set: { ServerLimit: 300_000 }, ids: ['AH00175'],
    warning: { id: 'AH00175', directive: 'ServerLimit', from: 300_000, to: 200_000,
      message: 'ServerLimit of 300000 exceeds compile-time limit of 200000 servers, decreasing to 200000. Set ServerLimit to 200000 or less.' },
    effective: { ServerLimit: 200_000, MaxRequestWorkers: 256 } },
  { rule: 'prefork 1: ServerLimit < 1 → 1 (AH00177), then MaxRequestWorkers follows it', mpm: 'prefork', set: { ServerLimit: 0 },
    ids: ['AH00177', 'AH00180'],
    warning: { id: 'AH00177', directive: 'ServerLimit', from: 0, to: 1,
      message: 'ServerLimit of 0 not allowed, increasing to 1. Set ServerLimit to 1 or more.' },
    effective: { ServerLimit: 1, MaxRequestWorkers: 1, MaxDaemons: 1 } },
  { rule: 'prefork 2 / §8.5: MaxRequestWorkers > ServerLimit → ServerLimit (AH00180)', mpm: 'prefork',
    set: { MaxRequestWorkers: 300 }, ids: ['AH00180'],
    warning: { id: 'AH00180', directive: 'MaxRequestWorkers', from: 300, to: 256,
      message: 'MaxRequestWorkers of 300 exceeds ServerLimit value of 256 servers, decreasing MaxRequestWorkers to 256. ' +
        'To increase, please see the ServerLimit directive.' },
    effective: { MaxRequestWorkers: 256, MaxDaemons: 256 } },
  { rule: 'prefork 2: MaxRequestWorkers < 1 → 1 (AH00182)', mpm: 'prefork', set: { MaxRequestWorkers: 0 }, ids: ['AH00182'],
    warning: { id: 'AH00182', directive: 'MaxRequestWorkers', from: 0, to: 1,
      message: 'MaxRequestWorkers of 0 not allowed, increasing to 1. Set MaxRequestWorkers to 1 or more.' },
    effective: { MaxRequestWorkers: 1, MaxDaemons: 1 } },
  { rule: 'prefork 3: StartServers < 1 → 1 (AH00184)', mpm: 'prefork', set: { StartServers: 0 }, ids: ['AH00184'],
    warning: { id: 'AH00184', directive: 'StartServers', from: 0, to: 1,
      message: 'StartServers of 0 not allowed, increasing to 1. Set StartServers to 1 or more.' },
    effective: { StartServers: 1 } },
  { rule: 'prefork 4 / §8.5: MinSpareServers < 1 → 1 (AH00186)', mpm: 'prefork', set: { MinSpareServers: 0 }, ids: ['AH00186'],
    warning: { id: 'AH00186', directive: 'MinSpareServers', from: 0, to: 1,
      message: 'MinSpareServers of 0 not allowed, increasing to 1 to avoid almost certain server failure. ' +
        'Please read the documentation. Set MinSpareServers to 1 or more.' },
    effective: { MinSpareServers: 1, MaxSpareServers: 10 } },
  { rule: 'prefork run / §8.5: MaxSpareServers < MinSpareServers + 1 is raised silently', mpm: 'prefork',
    set: { MinSpareServers: 5, MaxSpareServers: 3 }, ids: [], effective: { MaxSpareServers: 6 } },
  { rule: 'prefork run: the raise uses the adjusted MinSpareServers', mpm: 'prefork',
    set: { MinSpareServers: 0, MaxSpareServers: 0 }, ids: ['AH00186'], effective: { MinSpareServers: 1, MaxSpareServers: 2 } },
  { rule: 'prefork: one thread per child whatever ThreadsPerChild/ThreadLimit say', mpm: 'prefork',
    set: { ThreadsPerChild: 64, ThreadLimit: 128, MaxRequestWorkers: 100 }, ids: [],
    effective: { ThreadsPerChild: 1, ThreadLimit: 1, MaxDaemons: 100 } },

  // §3.3 worker and event
  ...threaded('defaults need no adjustment', {}, [], { MaxRequestWorkers: 400, MaxDaemons: 16, MaxSpareThreads: 250 }),
  ...threaded('1: ServerLimit > 20000 → 20000', { ServerLimit: 30_000 }, [SL_HIGH], { ServerLimit: 20_000, MaxDaemons: 16 }, {
    id: SL_HIGH, directive: 'ServerLimit', from: 30_000, to: 20_000,
    message: 'ServerLimit of 30000 exceeds compile-time limit of 20000 servers, decreasing to 20000. Set ServerLimit to 20000 or less.' }),
  ...threaded('1: ServerLimit < 1 → 1', { ServerLimit: 0 }, [SL_LOW, MRW_SERVER_LIMIT],
    { ServerLimit: 1, MaxRequestWorkers: 400, MaxDaemons: 1 }, {
      id: SL_LOW, directive: 'ServerLimit', from: 0, to: 1,
      message: 'ServerLimit of 0 not allowed, increasing to 1. Set ServerLimit to 1 or more.' }),
  { rule: 'worker: 2: ThreadLimit > 20000 → 20000 (AH00305)', mpm: 'worker', set: { ThreadLimit: 30_000 }, ids: ['AH00305'],
    warning: { id: 'AH00305', directive: 'ThreadLimit', from: 30_000, to: 20_000,
      message: 'ThreadLimit of 30000 exceeds compile-time limit of 20000 threads, decreasing to 20000. Set ThreadLimit to 20000 or less.' },
    effective: { ThreadLimit: 20_000, ThreadsPerChild: 25 } },
  { rule: 'event: 2: ThreadLimit > 100000 → 100000 (AH00502)', mpm: 'event', set: { ThreadLimit: 150_000 }, ids: ['AH00502'],
    warning: { id: 'AH00502', directive: 'ThreadLimit', from: 150_000, to: 100_000,
      message: 'ThreadLimit of 150000 exceeds compile-time limit of 100000 threads, decreasing to 100000. Set ThreadLimit to 100000 or less.' },
    effective: { ThreadLimit: 100_000 } },
  { rule: 'event: 2: ThreadLimit 30000 is within event\'s band', mpm: 'event', set: { ThreadLimit: 30_000 }, ids: [],
    effective: { ThreadLimit: 30_000 } },
  ...threaded('2: ThreadLimit < 1 → 1, then ThreadsPerChild and D follow', { ThreadLimit: 0 }, [TL_LOW, TPC_HIGH, MRW_SERVER_LIMIT],
    { ThreadLimit: 1, ThreadsPerChild: 1, MaxRequestWorkers: 400, MaxDaemons: 16 }, {
      id: TL_LOW, directive: 'ThreadLimit', from: 0, to: 1,
      message: 'ThreadLimit of 0 not allowed, increasing to 1. Set ThreadLimit to 1 or more.' }),
  ...threaded('3 / §8.5: ThreadsPerChild > ThreadLimit → ThreadLimit', { ThreadsPerChild: 100 }, [TPC_HIGH, MRW_MULTIPLE],
    { ThreadsPerChild: 64, MaxRequestWorkers: 384, MaxDaemons: 6 }, {
      id: TPC_HIGH, directive: 'ThreadsPerChild', from: 100, to: 64,
      message: 'ThreadsPerChild of 100 exceeds ThreadLimit of 64 threads, decreasing to 64. To increase, please see the ThreadLimit directive.' }),
  ...threaded('3: ThreadsPerChild < 1 → 1', { ThreadsPerChild: 0 }, [TPC_LOW, MRW_SERVER_LIMIT],
    { ThreadsPerChild: 1, MaxDaemons: 16 }, {
      id: TPC_LOW, directive: 'ThreadsPerChild', from: 0, to: 1,
      message: 'ThreadsPerChild of 0 not allowed, increasing to 1. Set ThreadsPerChild to 1 or more.' }),
  ...threaded('4: MaxRequestWorkers < ThreadsPerChild → ThreadsPerChild', { MaxRequestWorkers: 10 }, [MRW_BELOW_TPC],
    { MaxRequestWorkers: 25, MaxDaemons: 1 }, {
      id: MRW_BELOW_TPC, directive: 'MaxRequestWorkers', from: 10, to: 25,
      message: 'MaxRequestWorkers of 10 is less than ThreadsPerChild of 25, increasing to 25. MaxRequestWorkers must be at least ' +
        'as large as the number of threads in a single server. Set MaxRequestWorkers to 25 or more, or lower ThreadsPerChild.' }),
  ...threaded('5 / §8.5: ThreadsPerChild 64 with MaxRequestWorkers unset → 384', { ThreadsPerChild: 64 }, [MRW_MULTIPLE],
    { MaxRequestWorkers: 384, MaxDaemons: 6 }, {
      id: MRW_MULTIPLE, directive: 'MaxRequestWorkers', from: 400, to: 384,
      message: 'MaxRequestWorkers of 400 is not an integer multiple of ThreadsPerChild of 64, decreasing to nearest multiple 384, ' +
        'for a maximum of 6 servers. Set MaxRequestWorkers to a multiple of ThreadsPerChild, such as 384.' }),
  ...threaded('6 / §8.5: MRW / TPC > ServerLimit caps D only; stored MaxRequestWorkers unchanged', { MaxRequestWorkers: 800 },
    [MRW_SERVER_LIMIT], { MaxRequestWorkers: 800, MaxDaemons: 16 }, {
      id: MRW_SERVER_LIMIT, directive: 'MaxRequestWorkers', from: 800, to: 400,
      message: 'MaxRequestWorkers of 800 would require 32 servers and would exceed ServerLimit of 16, decreasing to 400. ' +
        'To increase, please see the ServerLimit directive.' }),
  ...threaded('5 then 6: the cap reports the rounded MaxRequestWorkers', { MaxRequestWorkers: 1000, ThreadsPerChild: 64, ServerLimit: 8 },
    [MRW_MULTIPLE, MRW_SERVER_LIMIT], { MaxRequestWorkers: 960, MaxDaemons: 8 }, {
      id: MRW_SERVER_LIMIT, directive: 'MaxRequestWorkers', from: 960, to: 512,
      message: 'MaxRequestWorkers of 960 would require 15 servers and would exceed ServerLimit of 8, decreasing to 512. ' +
        'To increase, please see the ServerLimit directive.' }),
  ...threaded('7 / §8.5: StartServers < 1 → 1', { StartServers: 0 }, [START_SERVERS], { StartServers: 1 }, {
    id: START_SERVERS, directive: 'StartServers', from: 0, to: 1,
    message: 'StartServers of 0 not allowed, increasing to 1. Set StartServers to 1 or more.' }),
  ...threaded('7 / §8.5: MinSpareThreads < 1 → 1', { MinSpareThreads: 0 }, [MIN_SPARE_THREADS],
    { MinSpareThreads: 1, MaxSpareThreads: 250 }, {
      id: MIN_SPARE_THREADS, directive: 'MinSpareThreads', from: 0, to: 1,
      message: 'MinSpareThreads of 0 not allowed, increasing to 1 to avoid almost certain server failure. ' +
        'Please read the documentation. Set MinSpareThreads to 1 or more.' }),
  ...threaded('8 / §8.5: MaxSpareThreads raised silently to MinSpareThreads + ThreadsPerChild + 1', { MaxSpareThreads: 0 }, [],
    { MaxSpareThreads: 75 + 25 + 1 }),
  ...threaded('8: the raise adds one more than the docs\' MinSpareThreads + ThreadsPerChild', { MaxSpareThreads: 100 }, [],
    { MaxSpareThreads: 101 }),
  ...threaded('8: the raise uses the adjusted MinSpareThreads and ThreadsPerChild',
    { MinSpareThreads: 0, MaxSpareThreads: 0, ThreadsPerChild: 100 }, [TPC_HIGH, MRW_MULTIPLE, MIN_SPARE_THREADS],
    { MinSpareThreads: 1, MaxSpareThreads: 1 + 64 + 1 }),
  ...threaded('prefork-only directives are left alone', { MinSpareServers: 0, MaxSpareServers: 0 }, [],
    { MinSpareServers: 0, MaxSpareServers: 0 }),
  { rule: 'event: AsyncRequestWorkerFactor below 1 acts as 1, silently', mpm: 'event', set: { AsyncRequestWorkerFactor: 0.5 },
    ids: [], effective: { AsyncRequestWorkerFactor: 1 } },
  { rule: 'event: AsyncRequestWorkerFactor keeps its fraction above 1', mpm: 'event', set: { AsyncRequestWorkerFactor: 1.5 },
    ids: [], effective: { AsyncRequestWorkerFactor: 1.5 } },
  { rule: 'worker: AsyncRequestWorkerFactor does not apply and is left alone', mpm: 'worker', set: { AsyncRequestWorkerFactor: 0.5 },
    ids: [], effective: { AsyncRequestWorkerFactor: 0.5 } },
];

describe('adjustDirectives: httpd startup rules', () => {
  for (const row of ROWS) {
    it(row.rule, () => {
      const input: Directives = { ...defaultDirectives(row.mpm), ...row.set };
      const before = structuredClone(input);
      const { effective, warnings } = adjustDirectives(row.mpm, input);

      assert.deepEqual(warnings.map((w) => w.id), row.ids);
      if (row.warning) {
        assert.deepEqual(warnings.find((w) => w.id === row.warning?.id), row.warning);
      }
      for (const [name, value] of Object.entries(row.effective)) {
        assert.equal(effective[name as keyof EffectiveDirectives], value, name);
      }
      assert.deepEqual(input, before, 'the input is not modified');
    });
  }

  it('every warning names a directive to change', () => {
    for (const row of ROWS) {
      const { warnings } = adjustDirectives(row.mpm, { ...defaultDirectives(row.mpm), ...row.set });
      for (const w of warnings) {
        assert.match(w.message, /(Set \w+ to|please see the \w+ directive)/, `${row.rule}: ${w.id}`);
        assert.doesNotMatch(w.message, /^WARNING/);
      }
    }
  });
});

describe('validateAndAdjust', () => {
  it('parses CLI strings, merges them over the defaults and adjusts', () => {
    const result = validateAndAdjust({ ThreadsPerChild: '64' }, 'event');
    assert.ok(result.ok);
    assert.equal(result.directives.ThreadsPerChild, 64);
    assert.equal(result.directives.MaxRequestWorkers, 400, 'the stored value is what the operator asked for');
    assert.equal(result.effective.MaxRequestWorkers, 384);
    assert.equal(result.effective.MaxDaemons, 6);
    assert.deepEqual(result.warnings.map((w) => w.id), ['AH00513']);
    assert.deepEqual(result.notes, []);
  });

  it('merges over a given base instead of the defaults', () => {
    const base: Directives = { ...defaultDirectives('worker'), ServerLimit: 4, ThreadsPerChild: 4, MaxRequestWorkers: 16 };
    const result = validateAndAdjust({ MaxRequestWorkers: 12 }, 'worker', base);
    assert.ok(result.ok);
    assert.equal(result.directives.ServerLimit, 4);
    assert.equal(result.effective.MaxRequestWorkers, 12);
    assert.equal(result.effective.MaxDaemons, 3);
    assert.deepEqual(result.warnings, []);
  });

  it('passes deprecation notes through', () => {
    const result = validateAndAdjust({ MaxClients: 100 }, 'prefork');
    assert.ok(result.ok);
    assert.equal(result.directives.MaxRequestWorkers, 100);
    assert.equal(result.effective.MaxDaemons, 100);
    assert.deepEqual(result.notes, ['AH00188: MaxClients is deprecated, use MaxRequestWorkers instead.']);
  });

  it('returns every error and no values when anything is wrong', () => {
    const result = validateAndAdjust({ MaxRequestWorkers: 'abc', Foo: 1, ThreadsPerChild: 64 }, 'worker');
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => [e.code, e.directive]), [
      ['FY_DIRECTIVE_TYPE', 'MaxRequestWorkers'],
      ['FY_DIRECTIVE_UNKNOWN', 'Foo'],
    ]);
    assert.equal('effective' in result, false);
  });
});
