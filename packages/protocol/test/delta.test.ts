import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, DeltaMismatchError, diffSnapshots, isEmptyDelta, type Delta, type StatusSnapshot } from '../src/index.js';
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

  it('refuses a delta that cannot belong to the state', () => {
    const r = prng(3);
    const a = randomSnapshot(r, { processes: 2, threads: 4 });
    const b: StatusSnapshot = structuredClone(a);
    b.processes[1]!.connections += 1;
    const delta = diffSnapshots(a, b, 0);
    const other = { ...a, processes: [a.processes[0]!] };
    assert.throws(() => applyDelta(other, delta), DeltaMismatchError);
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
