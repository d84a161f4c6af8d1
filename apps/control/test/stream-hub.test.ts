import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFrame, INITIAL_STREAM_STATE, type ServerFrame, type StatusSnapshot, type StreamState } from '@forkyard/protocol';
import { COMPRESS_MIN_CHARS, StreamHub, type StreamPeer } from '../src/stream/hub.js';

/** A board whose letters move every call: `busy` threads of `threads` show W, rotating. */
function board(): () => StatusSnapshot {
  let n = 0;
  return () => {
    n++;
    const threads = 8;
    const letters = Array.from({ length: threads }, (_, t) => ((t + n) % 3 === 0 ? 'W' : '_')).join('');
    return {
      version: 'Forkyard/0.1.0',
      serverName: 'localhost',
      time: 1_800_000_000_000 + n * 100,
      mpm: 'event',
      generation: 0,
      configGeneration: 1,
      restartTime: 1_800_000_000_000,
      acceptQueue: n % 2,
      acceptRefused: 0,
      counts: { busy: 3, idle: 5, graceful: 0, processes: 2, stopping: 0, connsTotal: n, connsAsyncWaitIO: 0, connsAsyncWriting: 0, connsAsyncKeepAlive: 0, connsAsyncClosing: 0, accesses: n * 10, bytes: n * 1000 },
      limits: { serverLimit: 16, threadLimit: 8, threadsPerChild: 8, maxRequestWorkers: 128, maxDaemons: 16 },
      processes: [0, 1].map((slot) => ({
        slot,
        pid: 100 + slot,
        generation: 0,
        quiescing: false,
        notAccepting: false,
        connections: n % 4,
        keepAlive: 0,
        writing: 0,
        closing: 0,
        rss: 5e7,
        cpu: 0.5,
        startedAt: 1_800_000_000_000,
        requests: n * 5,
        letters,
        threads: Array.from({ length: threads }, (_, t) => ['GET / HTTP/1.1', '127.0.0.1', 'localhost:8080', 0, t, 1_800_000_000_000 + n, 0, n, n, 0, n * 10, n * 10] as StatusSnapshot['processes'][number]['threads'][number]),
      })),
    };
  };
}

class FakePeer implements StreamPeer {
  bufferedAmount = 0;
  frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  state: StreamState = INITIAL_STREAM_STATE;
  resyncs = 0;
  /** Per frame sent: its length and whether the hub asked for it to be deflated. */
  sent: Array<{ chars: number; compress: boolean | undefined }> = [];
  send(text: string, options?: { compress: boolean }): void {
    const frame = JSON.parse(text) as ServerFrame;
    this.sent.push({ chars: text.length, compress: options?.compress });
    this.frames.push(frame);
    const out = applyFrame(this.state, frame);
    this.state = out.state;
    if (out.resync) this.resyncs++;
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  types(): string[] {
    return this.frames.map((f) => f.type);
  }
}

function hub(opts: { now?: () => number } = {}) {
  const source = board();
  const taken: StatusSnapshot[] = [];
  const h = new StreamHub({
    autoTick: false,
    softLimitBytes: 1000,
    hardLimitBytes: 5000,
    stallMs: 1000,
    ...opts,
    source: () => {
      const s = source();
      taken.push(s);
      return s;
    },
  });
  return { h, taken };
}

describe('StreamHub', () => {
  it('sends a snapshot first, then deltas that rebuild every tick exactly', () => {
    const { h, taken } = hub();
    const a = new FakePeer();
    h.add(a);
    for (let i = 0; i < 20; i++) h.tick();
    assert.deepStrictEqual(a.types(), ['snapshot', ...Array(20).fill('delta')]);
    assert.equal(a.resyncs, 0);
    assert.deepStrictEqual(a.state.snapshot, taken.at(-1));
    assert.equal(a.state.seq, h.stats.seq);
  });

  it('takes one snapshot per tick however many clients there are, and sends them the same text', () => {
    const { h, taken } = hub();
    const peers = Array.from({ length: 5 }, () => new FakePeer());
    for (const p of peers) h.add(p);
    const before = taken.length;
    for (let i = 0; i < 10; i++) h.tick();
    assert.equal(taken.length - before, 10);
    for (const p of peers.slice(1)) assert.deepStrictEqual(p.frames.slice(1), peers[0]!.frames.slice(1));
    for (const p of peers) assert.deepStrictEqual(p.state.snapshot, taken.at(-1));
  });

  it('asks for long frames to be deflated and sends short ones as they are', () => {
    const { h } = hub();
    const a = new FakePeer();
    h.add(a);
    for (let i = 0; i < 20; i++) h.tick();
    const long = a.sent.filter((f) => f.chars >= COMPRESS_MIN_CHARS);
    const short = a.sent.filter((f) => f.chars < COMPRESS_MIN_CHARS);
    assert.ok(long.length > 0 && short.length > 0, `frames of both kinds (${long.length} long, ${short.length} short)`);
    assert.ok(long.every((f) => f.compress === true));
    assert.ok(short.every((f) => f.compress === false));
  });

  it('delivers at a lower rate when asked, still exactly', () => {
    const { h, taken } = hub();
    const fast = new FakePeer();
    const slow = new FakePeer();
    h.add(fast);
    h.add(slow);
    h.setRate(slow, 2); // 10 Hz ticks → every 5th
    for (let i = 0; i < 30; i++) h.tick();
    assert.equal(fast.frames.length, 31);
    assert.ok(slow.frames.length >= 6 && slow.frames.length <= 8, `slow got ${slow.frames.length} frames`);
    assert.equal(slow.resyncs, 0);
    // Every delivery happened on a tick that is a multiple of 5, and ended on the latest state.
    for (const f of slow.frames.slice(1)) if (f.type === 'delta') assert.equal(f.seq % 5, 0);
    // Ticks 1…31 happened; the last one due at 2 Hz was 30 (the board as source() gave it then).
    assert.equal(h.stats.seq, 31);
    assert.equal(slow.state.seq, 30);
    assert.deepStrictEqual(slow.state.snapshot, taken[29]);
  });

  it('skips a slow client, owes it a snapshot, and sends it once the client drains', () => {
    const { h, taken } = hub();
    const p = new FakePeer();
    h.add(p);
    h.tick();
    p.bufferedAmount = 2000; // above soft, below hard
    for (let i = 0; i < 5; i++) h.tick();
    assert.deepStrictEqual(p.types(), ['snapshot', 'delta']);
    p.bufferedAmount = 0;
    h.tick();
    assert.deepStrictEqual(p.types(), ['snapshot', 'delta', 'snapshot']);
    h.tick();
    assert.equal(p.frames.at(-1)!.type, 'delta');
    assert.deepStrictEqual(p.state.snapshot, taken.at(-1));
    assert.equal(p.closed, null);
  });

  it('closes with 1013 a client stuck above the soft limit for stallMs, or above the hard limit at once', () => {
    let now = 0;
    const { h } = hub({ now: () => now });
    const stuck = new FakePeer();
    const flooded = new FakePeer();
    const fine = new FakePeer();
    h.add(stuck);
    h.add(flooded);
    h.add(fine);
    stuck.bufferedAmount = 2000;
    flooded.bufferedAmount = 6000;
    h.tick();
    assert.equal(flooded.closed?.code, 1013);
    assert.equal(stuck.closed, null);
    for (let i = 0; i < 12; i++) {
      now += 100;
      h.tick();
    }
    const closed = stuck.closed as FakePeer['closed'];
    assert.equal(closed?.code, 1013);
    assert.match(closed!.reason, /too slow/);
    assert.equal(fine.closed, null);
    assert.equal(h.stats.clients, 1);
    assert.equal(h.stats.dropped, 2);
    // Dropped clients get nothing more.
    const count = stuck.frames.length;
    h.broadcastEvent({ kind: 'log', at: 1, level: 'info', id: 'FY00000', message: 'x' });
    h.tick();
    assert.equal(stuck.frames.length, count);
    assert.equal(fine.frames.at(-2)!.type, 'event');
  });

  it('answers resync with a snapshot, and turns clients away once closed', () => {
    const { h } = hub();
    const p = new FakePeer();
    h.add(p);
    h.tick();
    h.resync(p);
    assert.deepStrictEqual(p.types(), ['snapshot', 'delta', 'snapshot']);
    h.close();
    assert.equal(p.closed?.code, 1001);
    const late = new FakePeer();
    h.add(late);
    assert.equal(late.closed?.code, 1001);
    assert.equal(late.frames.length, 0);
  });

  it('stops ticking with no clients and starts from a fresh snapshot for the next one', () => {
    const { h, taken } = hub();
    const a = new FakePeer();
    h.add(a);
    h.tick();
    h.remove(a);
    const n = taken.length;
    h.tick();
    assert.equal(taken.length, n, 'no work without clients');
    const b = new FakePeer();
    h.add(b);
    assert.equal(taken.length, n + 1);
    assert.deepStrictEqual(b.state.snapshot, taken.at(-1));
  });
});
