import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EffectiveDirectives } from '../../src/directives/types.js';
import type { RetainedState } from '../../src/mpm/maintenance-types.js';
import { performIdleServerMaintenance, startupChildren } from '../../src/mpm/maintenance/index.js';
import type { MpmName, ScoreboardImage, SlotStatus } from '../../src/scoreboard/types.js';
import {
  assertPlan,
  frozenRetained,
  repeat,
  threadedDirectives,
  threadedImage,
  type ChildSpec,
  type PlanExpectation,
} from './fixtures/maintenance-image.js';

/** TPC 4 × D; MaxSpareThreads ≥ MinSpareThreads + TPC + 1 as the run-time adjustment leaves it. */
function pool(D: number, extra: Partial<EffectiveDirectives> = {}): EffectiveDirectives {
  return {
    ...threadedDirectives({
      StartServers: 2,
      MinSpareThreads: 2,
      MaxSpareThreads: 7,
      ThreadsPerChild: 4,
      MaxRequestWorkers: 4 * D,
      ServerLimit: D,
      MaxDaemons: D,
    }),
    ...extra,
  };
}

const busy = repeat('W', 4);
const idle = repeat('_', 4);
const empty = repeat('.', 4);
const oneIdle: SlotStatus[] = ['_', 'W', 'W', 'W'];
const old = (threads: ChildSpec['threads'], more: Partial<ChildSpec> = {}): ChildSpec => ({ threads, generation: 0, ...more });
const stopping = (threads: ChildSpec['threads']): ChildSpec => ({ threads, quiescing: true });

interface Row {
  mpm: 'worker' | 'event';
  rule: string;
  image: ScoreboardImage;
  directives: EffectiveDirectives;
  retained?: Partial<RetainedState>;
  expect: PlanExpectation;
}

const gen1 = { generation: 1 };

const rows: Row[] = [
  // ── worker (§4.3) ──────────────────────────────────────────────────────────────────────────
  {
    mpm: 'worker',
    rule: 'idle = S/_ in a live, running, current-generation child; active = _ R W K L D C in any live child',
    image: threadedImage([['_', 'S', 'W', 'K'], old(['_', '_', 'W', 'W']), stopping(['_', '_', '_', 'W']), empty], gen1),
    directives: pool(4),
    retained: { idleSpawnRate: 4 },
    expect: { idle: 2, active: 11, totalChildren: 3, spawn: [], stop: null, logs: [], retained: { idleSpawnRate: 1 } },
  },
  {
    mpm: 'worker',
    rule: 'a thread not yet created in a live child counts as starting (status <= SERVER_READY)',
    image: threadedImage([['W', 'W', '.', '.'], empty, empty, empty]),
    directives: pool(4),
    expect: { idle: 2, spawn: [] },
  },
  {
    mpm: 'worker',
    rule: 'only slots < D are scanned',
    image: threadedImage([busy, busy, empty, empty, idle], { serverLimit: 5 }),
    directives: pool(4, { ServerLimit: 5 }),
    expect: { idle: 0, totalChildren: 2, spawn: [2] },
  },
  {
    mpm: 'worker',
    rule: 'squatting: a quiescing child’s slot with a dead thread is free; all-DEAD-or-G slots first',
    image: threadedImage([busy, stopping(['W', '.', '.', '.']), stopping(['G', '.', 'G', '.']), busy]),
    directives: pool(4),
    expect: { spawn: [2], retained: { idleSpawnRate: 2 } },
  },
  {
    mpm: 'worker',
    rule: 'squatting fills the rate with slots still in use after the totally free ones',
    image: threadedImage([busy, stopping(['W', '.', '.', '.']), stopping(['G', '.', 'G', '.']), busy]),
    directives: pool(4),
    retained: { idleSpawnRate: 2 },
    expect: { spawn: [1, 2], retained: { idleSpawnRate: 4 } },
  },
  {
    mpm: 'worker',
    rule: 'a quiescing child with no dead thread leaves no free slot',
    image: threadedImage([busy, stopping(['W', 'W', 'G', 'G']), busy, busy]),
    directives: pool(4),
    expect: { spawn: [], logs: ['AH00288'] },
  },
  {
    mpm: 'worker',
    rule: 'idle > MaxSpareThreads → stop the current-generation child with most idle threads (tie → highest)',
    image: threadedImage([['_', '_', '_', 'W'], idle, idle, old(idle)], gen1),
    directives: pool(4),
    retained: { idleSpawnRate: 8 },
    expect: { idle: 11, stop: 2, spawn: [], logs: [], retained: { idleSpawnRate: 1 } },
  },
  {
    mpm: 'worker',
    rule: 'no free slot, at MaxRequestWorkers, idle 0 → AH00286 once, rate 1',
    image: threadedImage([busy, busy, busy, busy]),
    directives: pool(4),
    retained: { idleSpawnRate: 4 },
    expect: { spawn: [], logs: ['AH00286'], retained: { idleSpawnRate: 1, reported: ['AH00286'] } },
  },
  {
    mpm: 'worker',
    rule: 'AH00286 is not repeated',
    image: threadedImage([busy, busy, busy, busy]),
    directives: pool(4),
    retained: { reported: ['AH00286'] },
    expect: { spawn: [], logs: [] },
  },
  {
    mpm: 'worker',
    rule: 'no free slot, at MaxRequestWorkers, some idle → AH00287 once',
    image: threadedImage([oneIdle, oneIdle, oneIdle, oneIdle]),
    directives: pool(4, { MinSpareThreads: 6, MaxSpareThreads: 11 }),
    expect: { idle: 4, active: 16, spawn: [], logs: ['AH00287'], retained: { reported: ['AH00287'] } },
  },
  {
    mpm: 'worker',
    rule: 'no free slot below MaxRequestWorkers (D clamped by ServerLimit) → AH00288 every pass',
    image: threadedImage([busy, busy]),
    directives: pool(2, { MaxRequestWorkers: 16 }),
    retained: { reported: ['AH00288'], idleSpawnRate: 2 },
    expect: { active: 8, spawn: [], logs: ['AH00288'], retained: { idleSpawnRate: 1 } },
  },
  {
    mpm: 'worker',
    rule: 'spawn min(free, rate); rate ≥ 8 → AH00289 with the count spawned; rate doubles',
    image: threadedImage([busy, empty, empty, empty, empty, empty, empty, empty]),
    directives: pool(8),
    retained: { idleSpawnRate: 8 },
    expect: { spawn: [1, 2, 3, 4, 5, 6, 7], logs: ['AH00289'], retained: { idleSpawnRate: 16, maxDaemonsUsed: 8 } },
  },
  {
    mpm: 'worker',
    rule: 'hold-off: a spawning pass decrements it and does not double',
    image: threadedImage([busy, empty, empty, empty]),
    directives: pool(4),
    retained: { idleSpawnRate: 2, holdOffOnExponentialSpawning: 10 },
    expect: { spawn: [1, 2], retained: { idleSpawnRate: 2, holdOffOnExponentialSpawning: 9 } },
  },
  {
    mpm: 'worker',
    rule: '§4.6 remaining children go to empty slots < D only (no squatting), then 0; nothing else',
    image: threadedImage([stopping(['G', '.', '.', '.']), old(busy, { quiescing: true }), empty, empty], gen1),
    directives: pool(4),
    retained: { remainingChildrenToStart: 3, holdOffOnExponentialSpawning: 10 },
    expect: { spawn: [2, 3], stop: null, logs: [], retained: { remainingChildrenToStart: 0, idleSpawnRate: 1, holdOffOnExponentialSpawning: 10 } },
  },
  // ── event (§4.4) ───────────────────────────────────────────────────────────────────────────
  {
    mpm: 'event',
    rule: 'a not-accepting child contributes no idle threads, so a spawn happens',
    image: threadedImage([{ threads: idle, notAccepting: true }, empty, empty, empty]),
    directives: pool(2, { ServerLimit: 4 }),
    expect: { idle: 0, active: 4, spawn: [1] },
  },
  {
    mpm: 'event',
    rule: 'all slots < ServerLimit are scanned (a child in a slot ≥ D counts)',
    image: threadedImage([busy, empty, empty, idle]),
    directives: pool(2, { ServerLimit: 4 }),
    expect: { idle: 4, totalChildren: 2, spawn: [], retained: { maxDaemonsUsed: 4 } },
  },
  {
    mpm: 'event',
    rule: 'free slots are empty slots only: never a quiescing child’s',
    image: threadedImage([busy, stopping(['W', '.', '.', '.']), empty, empty]),
    directives: pool(3, { ServerLimit: 4 }),
    retained: { idleSpawnRate: 2 },
    expect: { spawn: [2, 3], totalChildren: 2 },
  },
  {
    mpm: 'event',
    rule: 'n = min(free, rate, D − active_daemons)',
    image: threadedImage([busy, empty, empty, empty]),
    directives: pool(2, { ServerLimit: 4 }),
    retained: { idleSpawnRate: 4 },
    expect: { spawn: [1], retained: { idleSpawnRate: 8 } },
  },
  {
    mpm: 'event',
    rule: 'active_daemons ≥ D → no spawn, rate 1; the extra hold-off absorbs this pass’s step',
    image: threadedImage([busy, { threads: ['W', 'W', '.', '.'], notAccepting: true }, empty, empty]),
    directives: pool(2, { ServerLimit: 4 }),
    retained: { idleSpawnRate: 8, holdOffOnExponentialSpawning: 0 },
    expect: { idle: 0, active: 6, spawn: [], logs: [], retained: { idleSpawnRate: 1, holdOffOnExponentialSpawning: 0 } },
  },
  {
    mpm: 'event',
    rule: 'at MaxRequestWorkers with idle 0 → AH00484 once, even with free slots',
    image: threadedImage([busy, busy, empty, empty]),
    directives: pool(2, { ServerLimit: 4 }),
    retained: { idleSpawnRate: 4 },
    expect: { spawn: [], logs: ['AH00484'], retained: { idleSpawnRate: 1, reported: ['AH00484'] } },
  },
  {
    mpm: 'event',
    rule: 'at MaxRequestWorkers with some idle → AH10159 once',
    image: threadedImage([['_', 'W', 'W', 'W'], ['_', 'W', 'W', 'W'], empty, empty]),
    directives: pool(2, { ServerLimit: 4, MinSpareThreads: 3, MaxSpareThreads: 8 }),
    retained: { reported: ['AH00484'] },
    expect: { idle: 2, spawn: [], logs: ['AH10159'], retained: { reported: ['AH00484', 'AH10159'] } },
  },
  {
    mpm: 'event',
    rule: 'no empty slot below MaxRequestWorkers → AH03490 every pass',
    image: threadedImage([busy, busy]),
    directives: pool(2, { MaxRequestWorkers: 16 }),
    retained: { reported: ['AH03490'] },
    expect: { spawn: [], logs: ['AH03490'] },
  },
  {
    mpm: 'event',
    rule: 'idle > MaxSpareThreads with nothing stopping → stop the idlest current-generation child',
    image: threadedImage([idle, ['_', '_', 'W', 'W'], idle, { threads: idle, notAccepting: true }]),
    directives: pool(4, { MaxSpareThreads: 7 }),
    expect: { idle: 10, stop: 2 },
  },
  {
    mpm: 'event',
    rule: 'stop refused while another child is stopping and ServerLimit − total ≤ D (here = D); rate 1 anyway',
    image: threadedImage([idle, idle, idle, stopping(['G', '.', '.', '.'])], { serverLimit: 7 }),
    directives: pool(3, { ServerLimit: 7 }),
    retained: { idleSpawnRate: 4 },
    expect: { idle: 12, stop: null, spawn: [], retained: { idleSpawnRate: 1 } },
  },
  {
    mpm: 'event',
    rule: 'stop allowed while another is stopping when ServerLimit − total > D',
    image: threadedImage([idle, idle, idle, stopping(['G', '.', '.', '.'])], { serverLimit: 8 }),
    directives: pool(3, { ServerLimit: 8 }),
    expect: { idle: 12, stop: 2 },
  },
  {
    mpm: 'event',
    rule: '§4.6 remaining children go to empty slots < ServerLimit, beyond D if need be',
    image: threadedImage([old(busy, { quiescing: true }), old(['G', '.', '.', '.'], { quiescing: true }), empty, empty], gen1),
    directives: pool(2, { ServerLimit: 4 }),
    retained: { remainingChildrenToStart: 2 },
    expect: { spawn: [2, 3], logs: [], retained: { remainingChildrenToStart: 0, maxDaemonsUsed: 4 } },
  },
];

function pass(mpm: MpmName, image: ScoreboardImage, directives: EffectiveDirectives, retained: Partial<RetainedState> = {}) {
  return performIdleServerMaintenance({ mpm, image, directives, retained: frozenRetained(retained) });
}

describe('worker and event perform_idle_server_maintenance (§4.3, §4.4, §4.6)', () => {
  for (const row of rows) {
    test(`${row.mpm}: ${row.rule}`, () => {
      const before = structuredClone(row.image);
      const plan = pass(row.mpm, row.image, row.directives, row.retained);
      assertPlan(plan, row.expect);
      assert.deepEqual(row.image, before, 'the input image is not mutated');
    });
  }

  test('dispatch: the same not-accepting child is idle capacity to worker, not to event', () => {
    const image = threadedImage([{ threads: idle, notAccepting: true }, empty, empty, empty]);
    assert.deepEqual(pass('worker', image, pool(4)).spawn, []);
    assert.deepEqual(pass('event', image, pool(4)).spawn, [1]);
  });

  test('AH00289 and AH00486 carry httpd’s text, at INFO', () => {
    const image = threadedImage([oneIdle, stopping(['W', 'W', '.', '.']), empty, empty, empty, empty]);
    const busyText = 'server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads)';
    const info = (mpm: MpmName) => pass(mpm, image, pool(6), { idleSpawnRate: 8 }).log.map((l) => `${l.level} ${l.message}`);
    assert.deepEqual(info('worker'), [
      `info ${busyText}, spawning 5 children, there are around 1 idle threads, and 2 total children`,
    ]);
    assert.deepEqual(info('event'), [
      `info ${busyText}, spawning 4 children, there are around 1 idle threads, 1 active children, ` +
        'and 2 children that are shutting down',
    ]);
  });

  test('error texts: AH00286/AH00484, AH00287/AH10159, AH00288, AH03490', () => {
    const full = threadedImage([busy, busy]);
    const text = (mpm: MpmName, image: ScoreboardImage, d: EffectiveDirectives) => pass(mpm, image, d).log.map((l) => l.message);
    const reached = 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting';
    assert.deepEqual(text('worker', full, pool(2)), [reached]);
    assert.deepEqual(text('event', full, pool(2)), [reached]);
    const near = threadedImage([oneIdle, busy]);
    const nearText = 'server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting';
    assert.deepEqual(text('worker', near, pool(2)), [nearText]);
    assert.deepEqual(text('event', near, pool(2)), [nearText]);
    assert.deepEqual(text('worker', full, pool(2, { MaxRequestWorkers: 16 })), ['scoreboard is full, not at MaxRequestWorkers']);
    assert.deepEqual(text('event', full, pool(2, { MaxRequestWorkers: 16 })), [
      'scoreboard is full, not at MaxRequestWorkers.Increase ServerLimit.',
    ]);
  });
});

describe('worker and event startup_children (§4.6)', () => {
  test('min(StartServers, D) lowest empty slots', () => {
    const image = threadedImage([empty, empty, empty, empty, empty, empty]);
    const d = pool(4, { ServerLimit: 6, StartServers: 3 });
    assert.deepEqual(startupChildren('worker', image, d), [0, 1, 2]);
    assert.deepEqual(startupChildren('event', image, d), [0, 1, 2]);
    assert.deepEqual(startupChildren('event', image, { ...d, StartServers: 9 }), [0, 1, 2, 3]);
    const occupied = threadedImage([busy, stopping(['G', '.', '.', '.']), empty, empty, empty, empty]);
    assert.deepEqual(startupChildren('worker', occupied, d), [2, 3]);
    assert.deepEqual(startupChildren('event', occupied, d), [2, 3, 4]);
  });
});
