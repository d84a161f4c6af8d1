/**
 * ipc/tcp-socket: a socket around a handed-over descriptor is built on a TCP handle opened directly on the
 * descriptor it is given (no guessing what the descriptor is), and serves the connection as
 * one built by Node from the descriptor would: it reads, writes, knows its peer, and its end
 * closes the connection.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { test } from 'node:test';
import type { Native } from '../../src/ipc/conn-channel.js';
import { directHandle, tcpSocket } from '../../src/ipc/tcp-socket.js';

const { dup } = createRequire(import.meta.url)('../../native/fd.node') as Native;

test('tcpSocket: on its own handle, a copy of a connection reads, writes, names its peer and ends it', { timeout: 10_000 }, async () => {
  assert.equal(directHandle, true, "Node's TCP binding is reachable: sockets are built without guessing");
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [net.Socket];
  await once(client, 'connect');

  const socket = tcpSocket(dup((accepted as unknown as { _handle: { fd: number } })._handle.fd));
  accepted.destroy();
  assert.equal(socket.remoteAddress, '127.0.0.1');
  assert.equal(socket.remotePort, client.localPort);

  const got = once(socket, 'data');
  client.write('ping');
  assert.equal(String((await got)[0]), 'ping');

  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  const ended = once(client, 'end');
  socket.end('pong');
  await ended;
  assert.equal(Buffer.concat(chunks).toString(), 'pong');
  client.destroy();
  server.close();
});
