import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { applyDelta, DeltaMismatchError, DeltaSchema, diffSnapshots, isEmptyDelta, type Delta, type StatusSnapshot, type ThreadCells } from '../src/index.js';
import { int, loadedFrame, nextSnapshot, prng, randomSnapshot } from './fixtures/random-snapshots.js';

/** What a client receives: the delta after a trip through JSON. */
const wire = (delta: Delta): Delta => JSON.parse(JSON.stringify(delta)) as Delta;

describe('diffSnapshots / applyDelta', () => {
  it('rebuilds every next snapshot exactly, over many random sequences', () => {
    let frames = 0;
    let puts = 0;
    let removals = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = prng(seed);
      const first = randomSnapshot(r);
      let server = first;
      let client: StatusSnapshot = structuredClone(first);
      const steps = int(r, 5, 60);
      for (let i = 0; i < steps; i++) {
        const next = nextSnapshot(r, server);
        const delta = wire(diffSnapshots(server, next, i));
        assert.equal(delta.from, i);
        if (seed <= 20) assert.ok(Value.Check(DeltaSchema, delta), `seed ${seed}, step ${i}: the delta fits its schema`);
        puts += delta.put?.length ?? 0;
        removals += delta.removed?.length ?? 0;
        client = applyDelta(client, delta);
        assert.deepStrictEqual(client, next, `seed ${seed}, step ${i}`);
        server = next;
        frames++;
      }
    }
    // The generator must have exercised the whole-process paths, not only patches.
    assert.ok(puts > 100, `puts: ${puts}`);
    assert.ok(removals > 50, `removals: ${removals}`);
    assert.ok(frames > 5000);
  });

  it('survives a change of layout (MPM switch: old children keep their width while new ones differ)', () => {
    const r = prng(7);
    const before = randomSnapshot(r, { processes: 4, threads: 25 });
    const after: StatusSnapshot = structuredClone(before);
    after.mpm = 'prefork';
    after.generation++;
    after.limits = { ...after.limits, threadsPerChild: 1 };
    after.processes = [
      ...after.processes.slice(0, 2),
      { ...before.processes[3]!, slot: 40, pid: 4242, letters: '_', threads: [before.processes[3]!.threads[0]!] },
    ];
    const delta = diffSnapshots(before, after, 3);
    assert.deepStrictEqual(delta.removed?.sort(), [before.processes[2]!.slot, before.processes[3]!.slot].sort());
    assert.deepStrictEqual(delta.put?.map((p) => p.slot), [40]);
    assert.deepStrictEqual(applyDelta(before, wire(delta)), after);
  });

  it('sends only the time when nothing changed, and leaves unchanged processes as the same objects', () => {
    const r = prng(11);
    const a = randomSnapshot(r, { processes: 3, threads: 4 });
    const b = { ...structuredClone(a), time: a.time + 100 };
    const delta = diffSnapshots(a, b, 0);
    assert.ok(isEmptyDelta(delta));
    assert.deepStrictEqual(delta, { from: 0, time: b.time });

    const c: StatusSnapshot = structuredClone(b);
    c.processes[1]!.letters = 'WWWW';
    const applied = applyDelta(a, diffSnapshots(a, c, 0));
    assert.equal(applied.processes[0], a.processes[0]);
    assert.equal(applied.processes[2], a.processes[2]);
    assert.notEqual(applied.processes[1], a.processes[1]);
    assert.equal(a.processes[1]!.letters.length, 4, 'the input state is not changed');
  });

  it('sends a changed thread slot as its letter and its changed cells, counters as how much they moved', () => {
    const r = prng(5);
    const a = randomSnapshot(r, { processes: 1, threads: 4 });
    a.processes[0]!.letters = '_K__';
    a.processes[0]!.threads[1] = ['GET /sleep?ms=50 HTTP/1.1', '10.0.1.7', 'localhost:8080', 1_800_000_000_000, 0, 1_800_000_000_000, 4, 90, 700, 720, 16_200, 126_000];
    const cells = (t: number): ThreadCells => structuredClone(a.processes[0]!.threads[t]!);
    const cases: Array<{ what: string; letters: string; thread: number; before?: ThreadCells; cells: ThreadCells; wire: unknown[] }> = [
      {
        what: 'a request finished',
        letters: '_K__',
        thread: 1,
        cells: ['GET /sleep?ms=50 HTTP/1.1', '10.0.1.7', 'localhost:8080', 0, 52, 1_800_000_000_052, 5, 91, 701, 903, 16_383, 126_183],
        wire: [1, '', 3, 0, 4, 52, 5, 1_800_000_000_052, 6, 1, 7, 1, 8, 1, 9, 183, 10, 183, 11, 183],
      },
      { what: 'only the letter', letters: '_W__', thread: 1, cells: cells(1), wire: [1, 'W'] },
      {
        what: 'a new connection (a counter goes back to 0)',
        letters: '_W__',
        thread: 1,
        cells: ['GET / HTTP/1.1', '10.0.2.9', 'localhost:8080', 1_800_000_000_090, 0, 1_800_000_000_090, 0, 90, 700, 0, 16_200, 126_000],
        wire: [1, 'W', 0, 'GET / HTTP/1.1', 1, '10.0.2.9', 3, 1_800_000_000_090, 5, 1_800_000_000_090, 6, -4, 9, -720],
      },
      {
        what: 'a byte count whose move would not add back exactly (1 → 2^53 + 2): the whole tuple',
        letters: '_K__',
        thread: 1,
        before: ['GET /sleep?ms=50 HTTP/1.1', '10.0.1.7', 'localhost:8080', 1_800_000_000_000, 0, 1_800_000_000_000, 4, 90, 700, 720, 16_200, 1],
        cells: ['GET /sleep?ms=50 HTTP/1.1', '10.0.1.7', 'localhost:8080', 1_800_000_000_000, 0, 1_800_000_000_000, 4, 90, 700, 720, 16_200, 2 ** 53 + 2],
        wire: [1, '', ['GET /sleep?ms=50 HTTP/1.1', '10.0.1.7', 'localhost:8080', 1_800_000_000_000, 0, 1_800_000_000_000, 4, 90, 700, 720, 16_200, 2 ** 53 + 2]],
      },
    ];
    for (const c of cases) {
      const a0: StatusSnapshot = structuredClone(a);
      if (c.before) a0.processes[0]!.threads[c.thread] = c.before;
      const b: StatusSnapshot = structuredClone(a0);
      b.processes[0]!.letters = c.letters;
      b.processes[0]!.threads[c.thread] = c.cells;
      const delta = wire(diffSnapshots(a0, b, 0));
      assert.deepStrictEqual(delta.patch, [{ slot: a.processes[0]!.slot, threads: [c.wire] }], c.what);
      assert.deepStrictEqual(applyDelta(a0, delta), b, c.what);
    }
  });

  it('refuses a delta that cannot belong to the state', () => {
    const r = prng(3);
    const a = randomSnapshot(r, { processes: 2, threads: 4 });
    const b: StatusSnapshot = structuredClone(a);
    b.processes[1]!.connections += 1;
    const delta = diffSnapshots(a, b, 0);
    const other = { ...a, processes: [a.processes[0]!] };
    assert.throws(() => applyDelta(other, delta), DeltaMismatchError);

    const slot = a.processes[0]!.slot;
    const bad: Array<[string, unknown[]]> = [
      ['no such thread slot', [4, 'W']],
      ['no such cell', [0, '', 12, 1]],
      ['a string for a counter', [0, '', 6, '1']],
      ['a number for the request line', [0, '', 0, 7]],
      ['two letters', [0, 'WW']],
    ];
    for (const [what, thread] of bad) {
      const d = { from: 0, time: a.time, patch: [{ slot, threads: [thread] }] } as Delta;
      assert.throws(() => applyDelta(a, d), DeltaMismatchError, what);
    }
  });

  it('is far smaller than a snapshot: 1,024 loaded slots, 10% changing per frame', (t) => {
    const r = prng(1024);
    let prev = randomSnapshot(r, { processes: 16, threads: 64 });
    const snapshotBytes = Buffer.byteLength(JSON.stringify(prev));
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const next = loadedFrame(r, prev, 0.1);
      const delta = diffSnapshots(prev, next, i);
      sizes.push(Buffer.byteLength(JSON.stringify(delta)));
      assert.deepStrictEqual(applyDelta(prev, wire(delta)), next);
      prev = next;
    }
    const mean = Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length);
    t.diagnostic(`snapshot ${snapshotBytes} B; delta mean ${mean} B (min ${Math.min(...sizes)}, max ${Math.max(...sizes)}); ratio ${(snapshotBytes / mean).toFixed(1)}×`);
    console.log(`# 1,024-slot snapshot: ${snapshotBytes} bytes; 10%-change delta: ${mean} bytes on average (${(snapshotBytes / mean).toFixed(1)}× smaller)`);
    assert.ok(mean * 5 < snapshotBytes, `delta ${mean} B vs snapshot ${snapshotBytes} B`);
  });
});
