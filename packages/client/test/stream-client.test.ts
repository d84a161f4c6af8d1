import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import { diffSnapshots, type ServerFrame } from '@forkyard/protocol';
import { StreamClient, type StreamClientState } from '../src/index.js';
import { startFakeControl, type FakeControl } from './fixtures/fake-control.js';
import { snapshot } from './fixtures/snapshots.js';

const frame = (f: ServerFrame): string => JSON.stringify(f);
const fast = { initialMs: 20, maxMs: 100 };

describe('StreamClient', () => {
  let fake: FakeControl;
  let client: StreamClient | null = null;
  before(async () => {
    fake = await startFakeControl();
  });
  beforeEach(() => {
    fake.upgrades.length = 0;
    fake.refuseWith = 0;
  });
  after(async () => {
    client?.stop();
    await fake.close();
  });

  it('builds its state from a snapshot and deltas, sends the token as a header, and asks for its rate', async () => {
    const received: string[] = [];
    fake.onStream = (ws) => {
      ws.on('message', (m) => received.push(m.toString()));
      ws.send(frame({ type: 'snapshot', seq: 7, snapshot: snapshot(1) }));
      ws.send(frame({ type: 'delta', seq: 8, delta: diffSnapshots(snapshot(1), snapshot(2, 'WW__'), 7) }));
      ws.send(frame({ type: 'event', event: { kind: 'spawn', at: 1, slot: 1, pid: 4343, generation: 1, mpm: 'worker' } }));
      ws.send(frame({ type: 'delta', seq: 9, delta: diffSnapshots(snapshot(2, 'WW__'), snapshot(3, 'WWW_'), 8) }));
    };
    client = new StreamClient({ url: fake.url, token: 'tok', WebSocket, rate: 2, backoff: fast });
    const events: string[] = [];
    client.onEvent((e) => events.push(e.kind));
    client.start();
    const s = await client.until((x) => x.stream.seq === 9, 3000);
    assert.deepStrictEqual(s.stream.snapshot, snapshot(3, 'WWW_'));
    assert.equal(s.status, 'open');
    assert.deepStrictEqual(events, ['spawn']);
    assert.equal(fake.upgrades[0]!.headers.authorization, 'Bearer tok');
    assert.equal(fake.upgrades[0]!.url, '/api/v1/stream');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepStrictEqual(received.map((m) => JSON.parse(m)), [{ type: 'hello', rate: 2 }]);
    client.stop();
    assert.equal(client.getState().status, 'closed');
  });

  it('asks for a snapshot once after a missed delta, and follows again after it', async () => {
    const received: string[] = [];
    fake.onStream = (ws) => {
      ws.on('message', (m) => {
        received.push(m.toString());
        if (JSON.parse(m.toString()).type === 'resync') ws.send(frame({ type: 'snapshot', seq: 12, snapshot: snapshot(12) }));
      });
      ws.send(frame({ type: 'snapshot', seq: 1, snapshot: snapshot(1) }));
      // seq 2 never comes
      ws.send(frame({ type: 'delta', seq: 3, delta: diffSnapshots(snapshot(2), snapshot(3), 2) }));
      ws.send(frame({ type: 'delta', seq: 4, delta: diffSnapshots(snapshot(3), snapshot(4), 3) }));
    };
    client = new StreamClient({ url: fake.url, WebSocket, backoff: fast });
    client.start();
    const s = await client.until((x) => x.stream.seq === 12 && !x.stream.stale, 3000);
    assert.deepStrictEqual(s.stream.snapshot, snapshot(12));
    assert.deepStrictEqual(received, ['{"type":"resync"}']);
    assert.equal(fake.upgrades[0]!.headers.authorization, undefined, 'no token, no header');
    client.stop();
  });

  it('reconnects with backoff after losing the connection or being refused, keeping the last picture meanwhile', async () => {
    let connections = 0;
    fake.onStream = (ws) => {
      connections++;
      ws.send(frame({ type: 'snapshot', seq: connections * 100, snapshot: snapshot(connections) }));
      if (connections === 1) setTimeout(() => ws.close(1013, 'too slow'), 50);
      if (connections === 2) setTimeout(() => ws.terminate(), 50);
    };
    const seen: StreamClientState[] = [];
    client = new StreamClient({ url: fake.url, WebSocket, backoff: { initialMs: 20, maxMs: 2500 } });
    client.subscribe((s) => seen.push(s));
    client.start();
    await client.until((s) => s.stream.seq === 100, 3000);
    const waiting = await client.until((s) => s.status === 'waiting', 3000);
    assert.match(waiting.lastError!, /1013/);
    assert.ok(waiting.retryInMs! >= 2000, `a 1013 close waits at least 2 s (${waiting.retryInMs} ms)`);
    assert.deepStrictEqual(waiting.stream.snapshot, snapshot(1), 'the last picture stays up');
    await client.until((s) => s.stream.seq === 200, 5000);
    fake.refuseWith = 401;
    await client.until((s) => s.status === 'waiting' && s.attempts >= 2, 5000);
    fake.refuseWith = 0;
    const back = await client.until((s) => s.stream.seq === 300, 5000);
    assert.equal(back.status, 'open');
    assert.equal(back.attempts, 0);
    assert.ok(seen.some((s) => /401/.test(s.lastError ?? '')), 'the refusal was reported');
    client.stop();
  });

  it('uses a single-use ticket when told to (as browsers must)', async () => {
    let issued = 0;
    fake.routes.set('POST /api/v1/stream/ticket', (req) => {
      assert.equal(req.headers.authorization, 'Bearer tok');
      issued++;
      return { status: 200, body: { ticket: `t-${issued}`, expiresAt: Date.now() + 30_000 } };
    });
    fake.onStream = (ws) => ws.send(frame({ type: 'snapshot', seq: 1, snapshot: snapshot(1) }));
    client = new StreamClient({ url: fake.url, token: 'tok', WebSocket, auth: 'ticket', backoff: fast });
    client.start();
    await client.until((s) => s.stream.snapshot !== null, 3000);
    assert.equal(fake.upgrades[0]!.url, '/api/v1/stream?ticket=t-1');
    assert.equal(fake.upgrades[0]!.headers.authorization, undefined);
    client.stop();
  });
});
