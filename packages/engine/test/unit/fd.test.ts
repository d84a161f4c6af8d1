/**
 * native/fd.node: dup(2) gives a second descriptor of the same connection, which outlives the
 * first — what lets a worker thread own a socket while the listener keeps its lifeline.
 */

import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';

const { dup } = createRequire(import.meta.url)('../../native/fd.node') as { dup: (fd: number) => number };

test('dup: the copy writes to the same peer, keeps the connection open after the original closes, and its close ends it', { timeout: 10_000 }, async () => {
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  const received: string[] = [];
  client.setEncoding('latin1').on('data', (s: string) => received.push(s));
  const ended = once(client, 'end');

  const fd = (accepted as unknown as { _handle: { fd: number } })._handle.fd;
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
