/**
 * The store's delta application, end to end on the client side: frames from a (fake) socket go
 * through @forkyard/client's StreamClient and the store binding into the dashboard's store.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { StreamClient, type WebSocketConstructor } from '@forkyard/client';
import { diffSnapshots, type ServerFrame } from '@forkyard/protocol';
import { bindStreamToStore } from '../src/lib/stream-binding.js';
import { INITIAL_DASHBOARD_STATE, type DashboardState } from '../src/lib/store.js';
import { FakeWebSocket } from '../src/testing/fake-web-socket.js';
import { child, snapshot } from './fixtures.js';

let store: StoreApi<DashboardState>;
let client: StreamClient;
let unbind: () => void;
let now = 100_000;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.instances.length = 0;
  store = createStore<DashboardState>()(() => ({ ...INITIAL_DASHBOARD_STATE }));
  client = new StreamClient({ url: 'http://127.0.0.1:1', WebSocket: FakeWebSocket as unknown as WebSocketConstructor, backoff: { initialMs: 500, maxMs: 4000 } });
  unbind = bindStreamToStore(client, store, () => now);
  client.start();
});

afterEach(() => {
  unbind();
  client.stop();
  vi.useRealTimers();
});

async function connected(): Promise<FakeWebSocket> {
  await vi.advanceTimersByTimeAsync(0);
  const ws = FakeWebSocket.last();
  ws.open();
  return ws;
}

const s0 = snapshot([child(0, '____'), child(1, '____')]);
const s1 = snapshot([child(0, '_W__'), child(1, '____')], { time: 10_100, counts: { ...s0.counts, busy: 1, accesses: 1 } });
const s2 = snapshot([child(0, '_W__'), child(2, 'SSSS', 1, 2002)], { time: 10_200 });

describe('stream → store', () => {
  it('takes the snapshot, then each delta, ending deep-equal to the server state', async () => {
    const ws = await connected();
    expect(store.getState().connection.phase).toBe('live');
    const frames: ServerFrame[] = [
      { type: 'snapshot', seq: 1, snapshot: s0 },
      { type: 'delta', seq: 2, delta: diffSnapshots(s0, s1, 1) },
      { type: 'delta', seq: 3, delta: diffSnapshots(s1, s2, 2) },
    ];
    frames.forEach((f) => ws.deliver(f));
    const { stream } = store.getState();
    expect(stream.seq).toBe(3);
    expect(stream.stale).toBe(false);
    expect(stream.snapshot).toEqual(s2);
    expect(ws.sent.filter((t) => t.includes('resync'))).toHaveLength(0);
  });

  it('keeps untouched children as the same objects, so the grid skips them', async () => {
    const ws = await connected();
    ws.deliver({ type: 'snapshot', seq: 1, snapshot: s0 });
    const before = store.getState().stream.snapshot!;
    ws.deliver({ type: 'delta', seq: 2, delta: diffSnapshots(s0, s1, 1) });
    const after = store.getState().stream.snapshot!;
    expect(after.processes[1]).toBe(before.processes[1]);
    expect(after.processes[0]).not.toBe(before.processes[0]);
    expect(after.processes[0]!.letters).toBe('_W__');
  });

  it('goes stale on a missed delta, asks once for a resync, and heals with the next snapshot', async () => {
    const ws = await connected();
    ws.deliver({ type: 'snapshot', seq: 1, snapshot: s0 });
    ws.deliver({ type: 'delta', seq: 3, delta: diffSnapshots(s1, s2, 2) });
    ws.deliver({ type: 'delta', seq: 4, delta: diffSnapshots(s2, s2, 3) });
    expect(store.getState().stream.stale).toBe(true);
    expect(store.getState().stream.snapshot).toEqual(s0);
    expect(ws.sent.filter((t) => JSON.parse(t).type === 'resync')).toHaveLength(1);
    ws.deliver({ type: 'snapshot', seq: 5, snapshot: s2 });
    expect(store.getState().stream.stale).toBe(false);
    expect(store.getState().stream.snapshot).toEqual(s2);
  });

  it('asks for a resync when a delta patches a child the state does not hold', async () => {
    const ws = await connected();
    ws.deliver({ type: 'snapshot', seq: 1, snapshot: s0 });
    ws.deliver({ type: 'delta', seq: 2, delta: { from: 1, time: 1, patch: [{ slot: 9, letters: 'W' }] } });
    expect(store.getState().stream.stale).toBe(true);
    expect(ws.sent.some((t) => JSON.parse(t).type === 'resync')).toBe(true);
  });

  it('samples chart history at most once a second and derives the request rate', async () => {
    const ws = await connected();
    for (let i = 0; i <= 30; i++) {
      now = 100_000 + i * 100;
      const letters = i % 20 === 10 ? 'WK__' : '____';
      ws.deliver({ type: 'snapshot', seq: i + 1, snapshot: snapshot([child(0, letters)], { time: i * 100, counts: { ...s0.counts, accesses: i * 5, busy: 2 } }) });
    }
    const samples = store.getState().history.samples;
    expect(samples.map((s) => s.t)).toEqual([0, 1000, 2000, 3000]);
    expect(samples[0]!.rps).toBeNull();
    expect(samples[1]!.rps).toBe(50);
    expect(samples[1]!.busy).toBe(2);
    expect(samples[1]!.keepAlive).toBe(1);
    expect(samples[2]!.keepAlive).toBe(0);
    expect(store.getState().lastFrameAt).toBe(103_000);
  });

  it('writes events to the log with their reason, newest last', async () => {
    const ws = await connected();
    ws.deliver({ type: 'event', event: { kind: 'spawn', at: 5, slot: 1, pid: 42, generation: 2, mpm: 'event' } });
    ws.deliver({ type: 'event', event: { kind: 'exit', at: 6, slot: 1, pid: 42, generation: 2, mpm: 'event', code: null, signal: 'SIGKILL', reason: 'killed' } });
    ws.deliver({ type: 'event', event: { kind: 'generation', at: 7, generation: 3, mpm: 'prefork', reason: 'switch' } });
    const log = store.getState().log;
    expect(log.map((e) => e.text)).toEqual([
      'child 42 started in slot 1 (generation 2, event)',
      'child 42 exited: killed (signal SIGKILL)',
      'generation 3 (prefork): MPM switch',
    ]);
    expect(log[1]!.level).toBe('warn');
    expect(new Set(log.map((e) => e.id)).size).toBe(3);
  });

  it('follows a load test second by second without flooding the log', async () => {
    const ws = await connected();
    const base = { kind: 'loadtest', id: 't1', testKind: 'single', scenario: 'hello', run: 0, mpm: 'event' } as const;
    ws.deliver({ type: 'event', event: { ...base, at: 1, phase: 'started' } });
    for (let s = 1; s <= 3; s++) ws.deliver({ type: 'event', event: { ...base, at: 1 + s, phase: 'progress', second: s, seconds: 3, rps: 100 * s, p50: 1, p99: 5, errors: 0 } });
    expect(store.getState().loadTest).toMatchObject({ phase: 'progress', second: 3, rps: 300 });
    ws.deliver({ type: 'event', event: { ...base, at: 9, phase: 'finished' } });
    expect(store.getState().loadTest!.phase).toBe('finished');
    expect(store.getState().log.map((e) => e.text)).toEqual(['load test hello started under event', 'load test hello finished']);
  });

  it('keeps the last scoreboard while reconnecting with backoff, then says it is back', async () => {
    const ws = await connected();
    ws.deliver({ type: 'snapshot', seq: 1, snapshot: s0 });
    ws.drop();
    const down = store.getState();
    expect(down.connection.phase).toBe('reconnecting');
    expect(down.connection.retryAt).toBeGreaterThan(now);
    expect(down.stream.snapshot).toEqual(s0);
    expect(down.log.at(-1)!.text).toMatch(/^stream lost/);

    await vi.advanceTimersByTimeAsync(600);
    const again = FakeWebSocket.last();
    expect(again).not.toBe(ws);
    again.open();
    expect(store.getState().connection.phase).toBe('live');
    expect(store.getState().log.at(-1)!.text).toBe('stream reconnected');
    again.deliver({ type: 'snapshot', seq: 1, snapshot: s1 });
    expect(store.getState().stream.snapshot).toEqual(s1);
  });
});
