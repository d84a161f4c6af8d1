/**
 * native/fd.node: dup(2) gives a second descriptor of the same connection, which outlives the
 * first — what lets a worker thread own a socket while the listener keeps its lifeline; and the
 * connection channel's socket pair carries a connection's descriptor with its id.
 */

import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import type { Native } from '../../src/ipc/conn-channel.js';

const native = createRequire(import.meta.url)('../../native/fd.node') as Native;
const { dup } = native;

/** A connected pair: the client, and the server's end as its bare descriptor. */
async function connection(): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket; fd: number }> {
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  return { server, client, accepted, fd: (accepted as unknown as { _handle: { fd: number } })._handle.fd };
}

test('dup: the copy writes to the same peer, keeps the connection open after the original closes, and its close ends it', { timeout: 10_000 }, async () => {
  const { server, client, accepted, fd } = await connection();
  const received: string[] = [];
  client.setEncoding('latin1').on('data', (s: string) => received.push(s));
  const ended = once(client, 'end');

  const copy = dup(fd);
  assert.ok(copy >= 0 && copy !== fd, `a new descriptor (${copy}) distinct from ${fd}`);

  accepted.destroy();
  await once(accepted, 'close');
  writeSync(copy, 'still here');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.join(''), 'still here', 'the connection outlived the original descriptor');
  assert.equal(client.readyState, 'open');

  closeSync(copy);
  await ended;
  client.destroy();
  server.close();
});

test('dup: a bad descriptor is an error, not a crash', () => {
  assert.throws(() => dup(-1), /non-negative integer/);
  assert.throws(() => dup(987_654), /Bad file descriptor/);
});

test('connection channel: the descriptor arrives with its id, in order, and serves the same peer after the sender closes its own', { timeout: 10_000 }, async () => {
  const [primary, child] = native.socketPair();
  const a = await connection();
  const b = await connection();
  const out = new Int32Array(8);
  assert.equal(native.recvConns(child, out), 0, 'nothing waits yet');
  assert.equal(native.sendConn(primary, a.fd, 41), 0);
  assert.equal(native.sendConn(primary, b.fd, -7), 0, 'ids are Int32, sign included');
  a.accepted.destroy();
  b.accepted.destroy();

  let wakes = 0;
  const token = native.watch(child, () => wakes++);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(wakes >= 1, 'the watch fired for the waiting connections');
  assert.equal(native.recvConns(child, out), 2);
  assert.deepEqual([out[1], out[3]], [41, -7]);
  native.unwatch(token);
  native.unwatch(token);

  const received: string[] = [];
  a.client.setEncoding('latin1').on('data', (s: string) => received.push(s));
  writeSync(out[0]!, 'via the channel');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.join(''), 'via the channel');
  const ended = [once(a.client, 'end'), once(b.client, 'end')];
  closeSync(out[0]!);
  closeSync(out[2]!);
  await Promise.all(ended);
  for (const c of [a, b]) {
    c.client.destroy();
    c.server.close();
  }
  closeSync(primary);
  closeSync(child);
});

test('connection channel: a full pair says EAGAIN and a closed one EPIPE, and neither loses a descriptor', { timeout: 10_000 }, async () => {
  const [primary, child] = native.socketPair();
  const c = await connection();
  let sent = 0;
  let errno = 0;
  while (sent < 100_000 && (errno = native.sendConn(primary, c.fd, sent)) === 0) sent++;
  assert.equal(errno, 11, `EAGAIN once full (after ${sent})`);
  assert.ok(sent > 10, `the pair holds a burst of connections (${sent})`);
  const out = new Int32Array(2 * 64);
  let got = 0;
  for (let n; (n = native.recvConns(child, out)) > 0; got += n) for (let i = 0; i < n; i++) closeSync(out[2 * i]!);
  assert.equal(got, sent, 'every descriptor sent was received');
  closeSync(child);
  assert.equal(native.sendConn(primary, c.fd, 0), 32, 'EPIPE once the child end is closed');
  closeSync(primary);
  c.accepted.destroy();
  c.client.destroy();
  c.server.close();
});

test('closes travel back: ids written on the child end reach the primary end in order, and a stray descriptor is not kept', { timeout: 10_000 }, async () => {
  const [primary, child] = native.socketPair();
  const out = new Int32Array(4);
  assert.equal(native.recvIds(primary, out), 0, 'nothing waits yet');
  for (const id of [5, 6, 7, 8, 9]) assert.equal(native.sendId(child, id), 0);
  // A message carrying a descriptor in this direction is none of the primary's: it is closed.
  const c = await connection();
  assert.equal(native.sendConn(child, c.fd, 10), 0);
  assert.equal(native.recvIds(primary, out), 4, 'as many as fit');
  assert.deepEqual([...out], [5, 6, 7, 8]);
  assert.equal(native.recvIds(primary, out), 2);
  assert.deepEqual([out[0], out[1]], [9, 10]);
  assert.equal(native.recvIds(primary, out), 0);
  // The stray copy was closed: the connection ends once the server's own descriptor does.
  const ended = once(c.client, 'end');
  c.accepted.destroy();
  await ended;
  c.client.destroy();
  c.server.close();
  closeSync(primary);
  assert.equal(native.sendId(child, 1), 32, 'EPIPE once the primary end is closed');
  closeSync(child);
});

test('connection channel: bad arguments are errors, not crashes', () => {
  assert.throws(() => native.sendId(-1, 0), /integers expected/);
  assert.throws(() => native.recvIds(0, new Uint8Array(2) as unknown as Int32Array), /Int32Array/);
  assert.throws(() => native.sendConn(-1, 0, 0), /integers expected/);
  assert.throws(() => native.recvConns(0, new Uint8Array(2) as unknown as Int32Array), /Int32Array/);
  assert.throws(() => native.watch(0, 'x' as unknown as () => void), /a function/);
  assert.throws(() => native.unwatch({}), /token/);
});
