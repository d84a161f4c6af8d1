import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { EffectiveDirectives } from '../../src/directives/types.js';
import { initialRetainedState, type RetainedState } from '../../src/mpm/maintenance-types.js';
import {
  performIdleServerMaintenance,
  retainedAfterGracefulRestart,
  startupChildren,
} from '../../src/mpm/maintenance/index.js';
import type { ScoreboardImage } from '../../src/scoreboard/types.js';
import {
  applyPlan,
  assertPlan,
  frozenRetained,
  imageFrom,
  liveChildren,
  preforkDirectives,
  repeat,
  type PlanExpectation,
} from './fixtures/maintenance-image.js';

const small = preforkDirectives({ StartServers: 1, MinSpareServers: 2, MaxSpareServers: 3, MaxRequestWorkers: 8 });
const ramp = preforkDirectives({ StartServers: 1, MinSpareServers: 40, MaxSpareServers: 50, MaxRequestWorkers: 64 });

function pass(image: ScoreboardImage, directives: EffectiveDirectives, retained: Partial<RetainedState> = {}) {
  return performIdleServerMaintenance({
    mpm: 'prefork',
    image,
    directives,
    retained: frozenRetained(retained),
  });
}

interface Row {
  rule: string;
  image: ScoreboardImage;
  directives?: EffectiveDirectives;
  retained?: Partial<RetainedState>;
  expect: PlanExpectation;
}

const rows: Row[] = [
  {
    rule: '§4.2.1 idle = S or _; busy letters are live, not idle; in range → rate back to 1',
    image: imageFrom(['_', 'S', 'W', 'K', '.', '.', '.', '.']),
    retained: { idleSpawnRate: 4 },
    expect: { spawn: [], stop: null, idle: 2, active: 3, totalChildren: 4, logs: [], retained: { idleSpawnRate: 1 } },
  },
  {
    rule: 'G (old generation, finishing) is live but not idle',
    image: imageFrom(['G', 'G', 'W', '.', '.', '.', '.', '.'], { generation: 1, oldGeneration: [0, 1] }),
    expect: { idle: 0, totalChildren: 3, spawn: [3], retained: { idleSpawnRate: 2 } },
  },
  {
    rule: 'a quiescing child is live but not idle',
    image: imageFrom(['_', '_', '_', '.', '.', '.', '.', '.'], { quiescing: [1, 2] }),
    expect: { idle: 1, totalChildren: 3, spawn: [3] },
  },
  {
    rule: 'a forked child with no status yet (pid set, `.`) counts as starting, and is not forked over',
    image: (() => {
      const image = imageFrom(['W', 'W', '.', '.', '.', '.', '.', '.']);
      image.processes[2].pid = 4242;
      return image;
    })(),
    expect: { idle: 1, totalChildren: 3, spawn: [3] },
  },
  {
    rule: '§4.2.1 only the first idle_spawn_rate free slots are kept, lowest first',
    image: imageFrom(['W', '.', 'W', '.', '.', '.', 'W', '.']),
    retained: { idleSpawnRate: 2 },
    expect: { spawn: [1, 3], retained: { idleSpawnRate: 4 } },
  },
  {
    rule: '§4.2.4 spawn fills every kept slot, not capped at MinSpareServers − idle',
    image: imageFrom(['_', 'W', '.', '.', '.', '.', '.', '.']),
    retained: { idleSpawnRate: 4 },
    expect: { idle: 1, spawn: [2, 3, 4, 5], retained: { idleSpawnRate: 8 } },
  },
  {
    rule: '§4.2.3 idle > MaxSpareServers → stop one child, the highest ready one, rate 1',
    image: imageFrom(['_', '_', 'W', '_', 'S', '.', '.', '.']),
    retained: { idleSpawnRate: 8 },
    expect: { idle: 4, stop: 3, spawn: [], logs: [], retained: { idleSpawnRate: 1 } },
  },
  {
    rule: 'the stop choice skips idle children of an old generation',
    image: imageFrom(['_', '_', '_', '_', '.', '.', '.', '.'], { generation: 2, oldGeneration: [3] }),
    expect: { idle: 4, stop: 2 },
  },
  {
    rule: 'the stop choice falls back to a starting child when none is ready',
    image: imageFrom(['S', 'S', 'S', 'S', 'W', '.', '.', '.']),
    expect: { idle: 4, stop: 3 },
  },
  {
    rule: '§4.2.4 no free slot → AH00161 at ERR (even with some idle), rate 1',
    image: imageFrom(['_', 'W', 'W', 'W'], { serverLimit: 4 }),
    directives: preforkDirectives({ StartServers: 1, MinSpareServers: 2, MaxSpareServers: 3, MaxRequestWorkers: 4 }),
    retained: { idleSpawnRate: 4 },
    expect: { spawn: [], logs: ['AH00161'], retained: { idleSpawnRate: 1, reported: ['AH00161'] } },
  },
  {
    rule: 'AH00161 is not logged again once reported',
    image: imageFrom(['W', 'W', 'W', 'W']),
    directives: preforkDirectives({ StartServers: 1, MinSpareServers: 2, MaxSpareServers: 3, MaxRequestWorkers: 4 }),
    retained: { reported: ['AH00161'] },
    expect: { spawn: [], logs: [], retained: { reported: ['AH00161'] } },
  },
  {
    rule: '§4.2.4 rate ≥ 8 → AH00162 names the rate, not the count spawned',
    image: imageFrom(['W', 'W', 'W', 'W', 'W', '.', '.', '.']),
    retained: { idleSpawnRate: 8 },
    expect: { spawn: [5, 6, 7], logs: ['AH00162'], retained: { idleSpawnRate: 16 } },
  },
  {
    rule: 'during hold-off a spawning pass decrements it instead of doubling',
    image: imageFrom(['W', '.', '.', '.', '.', '.', '.', '.']),
    retained: { idleSpawnRate: 2, holdOffOnExponentialSpawning: 3 },
    expect: { spawn: [1, 2], retained: { idleSpawnRate: 2, holdOffOnExponentialSpawning: 2 } },
  },
  {
    rule: 'the rate never doubles past MAX_SPAWN_RATE (32)',
    image: imageFrom(['W', '.', '.', '.', '.', '.', '.', '.']),
    retained: { idleSpawnRate: 32 },
    expect: { spawn: [1, 2, 3, 4, 5, 6, 7], logs: ['AH00162'], retained: { idleSpawnRate: 32 } },
  },
  {
    rule: 'max_daemons_limit = 1 + highest live slot, raised by the slots spawned',
    image: imageFrom(['W', '.', '.', 'W', '.', '.', '.', '.']),
    retained: { idleSpawnRate: 4, maxDaemonsUsed: 8 },
    expect: { spawn: [1, 2, 4, 5], retained: { maxDaemonsUsed: 6 } },
  },
  {
    rule: '§4.6 remaining children after a graceful restart: forked into free slots, nothing else decided',
    image: imageFrom(['G', 'G', 'W', '.', '.', '.', '.', '.'], { generation: 1, oldGeneration: [0, 1] }),
    retained: { remainingChildrenToStart: 3, holdOffOnExponentialSpawning: 10, idleSpawnRate: 1 },
    expect: {
      spawn: [3, 4, 5],
      stop: null,
      logs: [],
      retained: { remainingChildrenToStart: 0, holdOffOnExponentialSpawning: 10, idleSpawnRate: 1 },
    },
  },
  {
    rule: '§4.6 remaining children are capped by the free slots',
    image: imageFrom(['W', 'W', 'W', 'W', 'W', 'W', '.', '.']),
    retained: { remainingChildrenToStart: 5 },
    expect: { spawn: [6, 7], retained: { remainingChildrenToStart: 0 } },
  },
];

describe('prefork perform_idle_server_maintenance (§4.2)', () => {
  for (const row of rows) {
    test(row.rule, () => {
      const image = row.image;
      const before = structuredClone(image);
      const plan = pass(image, row.directives ?? small, row.retained);
      assertPlan(plan, row.expect);
      assert.deepEqual(image, before, 'the input image is not mutated');
    });
  }

  test('AH00161 and AH00162 carry httpd’s text', () => {
    const full = pass(imageFrom(['W', 'W']), preforkDirectives({ StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2, MaxRequestWorkers: 2 }));
    assert.deepEqual(full.log, [
      {
        level: 'error',
        id: 'AH00161',
        message: 'server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting',
      },
    ]);
    const busy = pass(imageFrom(['_', 'W', 'W', '.', '.', '.', '.', '.']), small, { idleSpawnRate: 16 });
    assert.deepEqual(busy.log, [
      {
        level: 'info',
        id: 'AH00162',
        message:
          'server seems busy, (you may need to increase StartServers, or Min/MaxSpareServers), ' +
          'spawning 16 children, there are 1 idle, and 3 total children',
      },
    ]);
  });
});

describe('prefork pool regulation over many passes (§8.2)', () => {
  test('ramp: busy pool grows 1, 2, 4, 8, 16, 32, 64; AH00162 at the 8/16/32 steps; AH00161 once', () => {
    let image = imageFrom(repeat('.', 64));
    image = applyPlan(image, { spawn: startupChildren('prefork', image, ramp), stop: null }, 'W');
    let retained = initialRetainedState();
    const live = [liveChildren(image)];
    const busyLogged: number[] = [];
    const fullLogged: number[] = [];
    for (let tick = 1; tick <= 9; tick++) {
      const plan = pass(image, ramp, retained);
      if (plan.log.some((l) => l.id === 'AH00162')) busyLogged.push(plan.spawn.length);
      if (plan.log.some((l) => l.id === 'AH00161')) fullLogged.push(tick);
      image = applyPlan(image, plan, 'W');
      retained = plan.retained;
      live.push(liveChildren(image));
    }
    assert.deepEqual(live, [1, 2, 4, 8, 16, 32, 64, 64, 64, 64]);
    assert.deepEqual(busyLogged, [8, 16, 32]);
    assert.deepEqual(fullLogged, [7]);
    assert.equal(retained.idleSpawnRate, 1);
  });

  test('surplus: 64 idle children fall one per pass to MaxSpareServers, then stop', () => {
    let image = imageFrom(repeat('_', 64));
    let retained = initialRetainedState();
    const live: number[] = [];
    for (let tick = 0; tick < 20; tick++) {
      const plan = pass(image, ramp, retained);
      assert.equal(plan.spawn.length, 0);
      image = applyPlan(image, plan, '_');
      retained = plan.retained;
      live.push(liveChildren(image));
    }
    assert.deepEqual(live.slice(0, 15), [63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 50]);
    assert.ok(live.every((n) => n >= 50));
  });

  test('after a graceful restart the pool regrows one child per pass for ten spawning passes', () => {
    let image = imageFrom(repeat('.', 64));
    let retained = retainedAfterGracefulRestart(initialRetainedState(), ramp);
    assert.equal(retained.remainingChildrenToStart, 1);
    const spawned: number[] = [];
    for (let tick = 0; tick < 13; tick++) {
      const plan = pass(image, ramp, retained);
      spawned.push(plan.spawn.length);
      image = applyPlan(image, plan, 'W');
      retained = plan.retained;
    }
    // The first pass forks the remaining StartServers; then ten held-off passes, then doubling.
    assert.deepEqual(spawned, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });
});

describe('prefork startup_children (§4.6)', () => {
  test('min(StartServers, MaxRequestWorkers) lowest free slots', () => {
    const five = preforkDirectives({ StartServers: 5, MinSpareServers: 5, MaxSpareServers: 10, MaxRequestWorkers: 8 });
    assert.deepEqual(startupChildren('prefork', imageFrom(repeat('.', 8)), five), [0, 1, 2, 3, 4]);
    const many = preforkDirectives({ StartServers: 20, MinSpareServers: 5, MaxSpareServers: 10, MaxRequestWorkers: 6 });
    assert.deepEqual(startupChildren('prefork', imageFrom(repeat('.', 8)), many), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(startupChildren('prefork', imageFrom(['W', '.', 'G', '.', '.', '.', '.', '.']), five), [1, 3, 4, 5, 6]);
  });
});
