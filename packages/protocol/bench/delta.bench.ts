/**
 * Cost of the stream's per-tick work on a loaded 1,024-slot board (16 children × 64 threads,
 * 10% of slots changing per frame): building the delta on the server, applying it on the
 * client, and the bytes each frame puts on the wire.
 */
import { performance } from 'node:perf_hooks';
import { applyDelta, diffSnapshots, type StatusSnapshot } from '../src/index.js';
import { loadedFrame, prng, randomSnapshot } from '../test/fixtures/random-snapshots.js';

const FRAMES = 500;
const r = prng(42);
const frames: StatusSnapshot[] = [randomSnapshot(r, { processes: 16, threads: 64 })];
for (let i = 0; i < FRAMES; i++) frames.push(loadedFrame(r, frames[i]!, 0.1));

let t0 = performance.now();
const deltas = frames.slice(1).map((next, i) => diffSnapshots(frames[i]!, next, i));
const diffMs = (performance.now() - t0) / FRAMES;

const wire = deltas.map((d) => JSON.stringify(d));
t0 = performance.now();
let state = frames[0]!;
for (const text of wire) state = applyDelta(state, JSON.parse(text));
const applyMs = (performance.now() - t0) / FRAMES;

t0 = performance.now();
for (const s of frames) JSON.stringify(s);
const snapshotJsonMs = (performance.now() - t0) / frames.length;

const deltaBytes = wire.reduce((a, w) => a + Buffer.byteLength(w), 0) / FRAMES;
const snapshotBytes = Buffer.byteLength(JSON.stringify(frames[0]));
console.table([
  { what: 'diffSnapshots (server, per tick)', 'ms/frame': diffMs.toFixed(3) },
  { what: 'JSON.parse + applyDelta (client)', 'ms/frame': applyMs.toFixed(3) },
  { what: 'JSON.stringify snapshot', 'ms/frame': snapshotJsonMs.toFixed(3) },
]);
console.log(`snapshot ${snapshotBytes} B, delta ${Math.round(deltaBytes)} B on average (${(snapshotBytes / deltaBytes).toFixed(1)}× smaller); at 10 Hz ${((deltaBytes * 10) / 1024).toFixed(1)} KiB/s per client`);
