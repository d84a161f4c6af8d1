/**
 * Hostile clients on the data plane get httpd's answers and hold nothing beyond what they
 * legitimately occupy: malformed → 400, header section too large → 431, body over
 * LimitRequestBody → 413, headers that never finish → 408 after Timeout.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertStalledBodyCut, get, raw, startPool } from './helpers.js';

const status = (text: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

for (const mpm of ['prefork', 'event'] as const) {
  describe(`hostile clients (${mpm})`, { timeout: 60_000 }, () => {
    const config = {
      mpm,
      directives: { StartServers: 2, MinSpareServers: 1, MaxSpareServers: 4, ThreadsPerChild: 2, MinSpareThreads: 1, MaxSpareThreads: 8, Timeout: 2, LimitRequestBody: 1000 },
    };

    it('answers a malformed request with 400 and keeps serving', async () => {
      const { port } = await startPool(config);
      const r = await raw(port, ['GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n']);
      assert.equal(status(r.text), 400, r.text);
      assert.equal((await get(port, '/')).status, 200);
    });

    it('answers a header section that is too large with 431', async () => {
      const { port } = await startPool(config);
      const r = await raw(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
      assert.equal(status(r.text), 431, r.text.slice(0, 200));
      assert.equal((await get(port, '/')).status, 200);
    });

    it('refuses a declared body over LimitRequestBody with 413 before the app runs', async () => {
      const { port } = await startPool(config);
      const r = await raw(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'b'.repeat(5000)}`]);
      assert.equal(status(r.text), 413, r.text);
      assert.match(r.text, /LimitRequestBody \(1000 bytes\)/);
      const small = await raw(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`]);
      assert.equal(status(small.text), 200);
      assert.match(small.text, /hello$/);
    });

    it('refuses a chunked body once it passes LimitRequestBody', async () => {
      const { port } = await startPool(config);
      const chunk = `${(600).toString(16)}\r\n${'c'.repeat(600)}\r\n`;
      const r = await raw(port, [`POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`, chunk, chunk, chunk, '0\r\n\r\n'], 8000, 50);
      assert.equal(status(r.text), 413, r.text);
    });

    it('answers headers that never finish with 408 after Timeout, freeing the slot', async () => {
      const { port } = await startPool(config);
      const r = await raw(port, ['GET / HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'], 10_000, 300);
      assert.equal(status(r.text), 408, r.text);
      assert.ok(r.closed, 'the connection is closed');
      assert.ok(r.elapsed >= 1500 && r.elapsed < 9000, `cut after about Timeout (2 s), took ${r.elapsed} ms`);
      assert.equal((await get(port, '/')).status, 200);
    });

    it('cuts a body that stops, on a request after a kept-alive wait, after about Timeout', async () => {
      // KeepAliveTimeout within Timeout: event's threads time the kept-alive wait themselves.
      const { port } = await startPool({ ...config, directives: { ...config.directives, KeepAliveTimeout: 1 } });
      await assertStalledBodyCut(port);
    });
  });
}
