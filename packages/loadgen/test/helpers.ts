/**
 * The tests' own target: a plain `node:http` server on an ephemeral loopback port whose
 * latency each test controls, counting what the load thread does to it (requests, connections
 * open now, connections ever). Every server is closed after its file, sockets and all.
 */

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after } from 'node:test';

export interface TestServer {
  url: string;
  port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** TCP connections open now. */
  readonly openConnections: number;
  /** TCP connections accepted so far. */
  readonly totalConnections: number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

const servers = new Set<TestServer>();
after(async () => {
  await Promise.all([...servers].map((s) => s.close()));
});

export async function startTestServer(handler: Handler): Promise<TestServer> {
  let requests = 0;
  let total = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => handler(req, res, requests++));
  // Idle clients must stay open for as long as a test wants them to.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    total++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const test: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get openConnections() {
      return sockets.size;
    },
    get totalConnections() {
      return total;
    },
    async close() {
      servers.delete(test);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.add(test);
  return test;
}

export function answer(res: http.ServerResponse, status = 200, body = 'ok\n'): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
