import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyFrame,
  diffSnapshots,
  dispatchFrame,
  INITIAL_STREAM_STATE,
  parseClientFrame,
  parseServerFrame,
  type ClientFrame,
  type FrameTable,
  type ServerFrame,
  type StreamState,
} from '../src/index.js';
import { nextSnapshot, prng, randomSnapshot } from './fixtures/random-snapshots.js';

describe('applyFrame', () => {
  const r = prng(5);
  const s0 = randomSnapshot(r, { processes: 3, threads: 8 });
  const s1 = nextSnapshot(r, s0);
  const s2 = nextSnapshot(r, s1);
  const s3 = nextSnapshot(r, s2);

  const run = (frames: ServerFrame[]): { state: StreamState; resyncs: number } => {
    let state = INITIAL_STREAM_STATE;
    let resyncs = 0;
    for (const frame of frames) {
      const out = applyFrame(state, frame);
      state = out.state;
      if (out.resync) resyncs++;
    }
    return { state, resyncs };
  };

  it('follows a snapshot with the deltas that apply to it', () => {
    const { state, resyncs } = run([
      { type: 'snapshot', seq: 10, snapshot: s0 },
      { type: 'delta', seq: 11, delta: diffSnapshots(s0, s1, 10) },
      { type: 'event', event: { kind: 'log', at: 1, level: 'warn', id: 'AH00161', message: 'server reached MaxRequestWorkers' } },
      { type: 'delta', seq: 13, delta: diffSnapshots(s1, s2, 11) },
    ]);
    assert.equal(resyncs, 0);
    assert.equal(state.seq, 13);
    assert.deepStrictEqual(state.snapshot, s2);
  });

  it('asks for a snapshot once after a gap, ignores deltas until it comes, then follows again', () => {
    const { state, resyncs } = run([
      { type: 'snapshot', seq: 1, snapshot: s0 },
      { type: 'delta', seq: 3, delta: diffSnapshots(s1, s2, 2) },
      { type: 'delta', seq: 4, delta: diffSnapshots(s2, s3, 3) },
      { type: 'snapshot', seq: 4, snapshot: s3 },
      { type: 'delta', seq: 5, delta: diffSnapshots(s3, s3, 4) },
    ]);
    assert.equal(resyncs, 1);
    assert.equal(state.stale, false);
    assert.equal(state.seq, 5);
    assert.deepStrictEqual(state.snapshot, s3);
  });

  it('goes stale on a delta before any snapshot, and on one that does not fit', () => {
    assert.equal(applyFrame(INITIAL_STREAM_STATE, { type: 'delta', seq: 1, delta: diffSnapshots(s0, s1, 0) }).resync, true);
    const patched = structuredClone(s0);
    patched.processes[0]!.connections += 1;
    const wrong = { ...s0, processes: [] };
    const out = applyFrame({ seq: 0, snapshot: wrong, stale: false }, { type: 'delta', seq: 1, delta: diffSnapshots(s0, patched, 0) });
    assert.equal(out.resync, true);
    assert.equal(out.state.stale, true);
    assert.equal(out.state.snapshot, wrong);
  });
});

describe('frame parsing', () => {
  it('accepts the client vocabulary and nothing else', () => {
    assert.deepStrictEqual(parseClientFrame('{"type":"hello","rate":2}'), { type: 'hello', rate: 2 });
    assert.deepStrictEqual(parseClientFrame('{"type":"hello"}'), { type: 'hello' });
    assert.deepStrictEqual(parseClientFrame('{"type":"resync"}'), { type: 'resync' });
    for (const bad of ['nope', '{"type":"hello","rate":11}', '{"type":"hello","rate":0}', '{"type":"subscribe"}', '[]', 'null']) {
      assert.equal(typeof parseClientFrame(bad), 'string', bad);
    }
    assert.match(parseClientFrame('{"type":"hello","rate":50}') as string, /hello.*rate/);
  });

  it('checks server frames against the schema', () => {
    const s = randomSnapshot(prng(9), { processes: 2, threads: 3 });
    const frame = { type: 'snapshot', seq: 1, snapshot: s };
    assert.deepStrictEqual(parseServerFrame(JSON.stringify(frame)), frame);
    assert.equal(typeof parseServerFrame(JSON.stringify({ ...frame, seq: 'x' })), 'string');
    assert.equal(typeof parseServerFrame('{"type":"event","event":{"kind":"boom","at":1}}'), 'string');
  });

  it('dispatches through a table with a handler per frame type', () => {
    const seen: string[] = [];
    const table: FrameTable<ClientFrame, string> = {
      hello: (f, who) => seen.push(`${who} hello ${f.rate ?? '-'}`),
      resync: (_f, who) => seen.push(`${who} resync`),
    };
    dispatchFrame(table, { type: 'hello', rate: 5 }, 'a');
    dispatchFrame(table, { type: 'resync' }, 'b');
    assert.deepStrictEqual(seen, ['a hello 5', 'b resync']);
  });
});
