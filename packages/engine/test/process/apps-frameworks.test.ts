/**
 * Unmodified framework applications run under every MPM: an Express 5 app (a Node listener)
 * and a Hono app (an object with `fetch`), each given as `app:` and checked route by route,
 * status, body and headers, in a prefork child and in worker/event threads.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startPool, stopPool } from './helpers.js';

const EXPRESS_APP = fileURLToPath(new URL('../fixtures/express-app.mjs', import.meta.url));
const HONO_APP = fileURLToPath(new URL('../fixtures/hono-app.mjs', import.meta.url));

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header lines as sent, name lower-cased: repeated headers stay separate. */
  lines: Array<[string, string]>;
  body: string;
  /** The client's port: the same on every request of one kept-alive connection. */
  clientPort: number;
}

interface Options {
  body?: string;
  headers?: Record<string, string>;
  agent?: http.Agent;
}

function request(port: number, method: string, path: string, opts: Options = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const agent = opts.agent ?? false;
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: opts.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const lines: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, lines, body: text, clientPort: res.socket?.localPort ?? 0 });
      });
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

const postJson = (port: number, path: string, value: unknown, agent?: http.Agent): Promise<Answer> => {
  const body = JSON.stringify(value);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  return request(port, 'POST', path, { body, headers, ...(agent ? { agent } : {}) });
};

/**
 * GET then POST a few times over one kept-alive connection: under event the connection is
 * parked between requests, and the POST's bytes reach whichever thread takes it next.
 */
async function overOneConnection(port: number, getPath: string, postPath: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const ports = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const got = await request(port, 'GET', getPath, { agent });
      assert.equal(got.status, 200);
      const value = { round: i, text: 'y'.repeat(50_000 + i) };
      const posted = await postJson(port, postPath, value, agent);
      assert.equal(posted.status, 201);
      assert.deepEqual(JSON.parse(posted.body), { received: value });
      ports.add(got.clientPort).add(posted.clientPort);
    }
    assert.equal(ports.size, 1, 'all six requests went over one connection');
  } finally {
    agent.destroy();
  }
}

function cookieLines(a: Answer): string[] {
  return a.lines.filter(([name]) => name === 'set-cookie').map(([, value]) => value);
}

/** A body big enough to reach the app in several chunks. */
const PAYLOAD = {
  name: 'Forkyard ✓ ünïcode',
  list: [1, 2, 3],
  nested: { deep: true },
  blob: 'x'.repeat(200_000),
};

const DIRECTIVES = {
  prefork: { StartServers: 1, MinSpareServers: 1, MaxSpareServers: 2 },
  worker: { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 2, MaxRequestWorkers: 2, MinSpareThreads: 1 },
  event: { StartServers: 1, ServerLimit: 1, ThreadsPerChild: 2, MaxRequestWorkers: 2, MinSpareThreads: 1 },
} as const;

for (const mpm of ['prefork', 'worker', 'event'] as const) {
  test(`${mpm}: an unmodified Express 5 app serves JSON, parses a JSON body, sees req.ip and sets cookies`, { timeout: 60_000 }, async () => {
    const { pool, port } = await startPool({ mpm, app: EXPRESS_APP, directives: DIRECTIVES[mpm] });
    try {
      const info = await request(port, 'GET', '/api/info');
      assert.equal(info.status, 200);
      assert.equal(info.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(info.headers['x-powered-by'], 'Express');
      assert.match(info.headers.etag ?? '', /^W\/"/);
      assert.equal(info.headers['content-length'], String(Buffer.byteLength(info.body)));
      assert.deepEqual(JSON.parse(info.body), { framework: 'express', ok: true });

      const echo = await postJson(port, '/api/echo', PAYLOAD);
      assert.equal(echo.status, 201);
      assert.equal(echo.headers['content-type'], 'application/json; charset=utf-8');
      assert.deepEqual(JSON.parse(echo.body), { received: PAYLOAD });

      const who = await request(port, 'GET', '/api/whoami');
      assert.equal(who.status, 200);
      assert.deepEqual(JSON.parse(who.body), { ip: '127.0.0.1' });
      assert.deepEqual(cookieLines(who), ['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/']);

      const missing = await request(port, 'GET', '/api/nothing-here');
      assert.equal(missing.status, 404);
      assert.match(missing.body, /Cannot GET \/api\/nothing-here/);

      await overOneConnection(port, '/api/info', '/api/echo');
    } finally {
      await stopPool(pool);
    }
  });

  test(`${mpm}: an unmodified Hono app serves text, echoes c.req.json() and sends two separate set-cookie headers`, { timeout: 60_000 }, async () => {
    const { pool, port } = await startPool({ mpm, app: HONO_APP, directives: DIRECTIVES[mpm] });
    try {
      const hello = await request(port, 'GET', '/hello');
      assert.equal(hello.status, 200);
      assert.equal(hello.headers['content-type'], 'text/plain;charset=UTF-8');
      assert.equal(hello.body, 'Hello from Hono');

      const echo = await postJson(port, '/echo', PAYLOAD);
      assert.equal(echo.status, 201);
      assert.equal(echo.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(echo.body), { received: PAYLOAD });

      const cookies = await request(port, 'GET', '/cookies');
      assert.equal(cookies.status, 200);
      assert.equal(cookies.body, 'two cookies');
      assert.equal(cookies.headers['x-app'], 'hono');
      assert.deepEqual(cookieLines(cookies), ['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/']);

      const head = await request(port, 'HEAD', '/hello');
      assert.equal(head.status, 200);
      assert.equal(head.body, '');

      const missing = await request(port, 'GET', '/nothing-here');
      assert.equal(missing.status, 404);
      assert.equal(missing.body, '404 Not Found');

      await overOneConnection(port, '/hello', '/echo');
    } finally {
      await stopPool(pool);
    }
  });
}
