/**
 * A client that asks for a large response and never reads it holds its slot no longer than
 * about Timeout + the idle grace (1.5 s) — up to twice that under prefork, see CUT_WITHIN_MS —
 * then the connection is cut, the slot goes back to `_`, and
 * the child does not buffer the response in memory meanwhile. Other clients are served all the
 * while.
 *
 * Under worker the thread writes to its own descriptor of the socket (or, with the relay
 * transport, through the child's main thread); either way it waits for the socket to drain like
 * any Node writer would, so Timeout sees the stall.
 */

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { get, sleep, slotLetterCounts, startPool, waitFor } from './helpers.js';

const SIZE = 50_000_000;
const TIMEOUT_S = 2;
/**
 * The idle cut comes Timeout + 1.5 s after the connection goes silent; under prefork up to twice
 * that, because Node's net.Socket lets one timeout pass when its write queue has changed since
 * it was armed (lib/net.js _onTimeout), which a write stalled by a full socket buffer does. Plus
 * a slow machine's slack.
 */
const CUT_WITHIN_MS = 2 * (TIMEOUT_S * 1000 + 1500) + 4500;
/** The response is 48 MiB: a child that buffered it would grow by about that much. */
const RSS_GROWTH_LIMIT = 24 * 1024 * 1024;

for (const mpm of ['prefork', 'worker'] as const) {
  test(`${mpm}: a client that never reads a ${SIZE}-byte response is cut after about Timeout; others are served`, { timeout: 60_000 }, async (t) => {
    const { pool, port } = await startPool({
      mpm,
      directives: {
        StartServers: 2,
        MinSpareServers: 1,
        MaxSpareServers: 4,
        ThreadsPerChild: 2,
        MinSpareThreads: 1,
        MaxSpareThreads: 8,
        Timeout: TIMEOUT_S,
        // Far above Timeout: a slot that lingered in K after a response buffered in full would show.
        KeepAliveTimeout: 30,
      },
    });
    assert.equal((await get(port, '/')).status, 200);
    await waitFor('every slot idle', () => (slotLetterCounts(pool).W ?? 0) + (slotLetterCounts(pool).K ?? 0) === 0, 10_000);
    const rssOf = (): number => Math.max(...pool.snapshot().processes.filter((p) => p.pid !== 0).map((p) => p.rss));
    // Usage comes with the children's once-a-second report: start from a real figure.
    await waitFor('a usage report from every child', () => pool.snapshot().processes.filter((p) => p.pid !== 0).every((p) => p.rss > 0), 5000);
    const rssBefore = rssOf();

    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.pause();
    client.write(`GET /bytes?n=${SIZE} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const t0 = Date.now();

    await waitFor('the large response to take a slot', () => (slotLetterCounts(pool).W ?? 0) >= 1, 10_000, 20);
    let rssMax = rssBefore;
    let served = 0;
    // While it hangs there, others get answers (each on its own connection).
    const freed = await waitFor(
      'the slot to be freed',
      async () => {
        rssMax = Math.max(rssMax, rssOf());
        const r = await get(port, '/', undefined, 10_000);
        assert.equal(r.status, 200);
        served++;
        const c = slotLetterCounts(pool);
        return (c.W ?? 0) + (c.K ?? 0) + (c.C ?? 0) === 0 ? Date.now() : null;
      },
      CUT_WITHIN_MS + 2000,
      200,
    );
    const heldMs = freed - t0;
    assert.ok(served >= 3, `other clients were served meanwhile: ${served}`);
    assert.ok(heldMs >= TIMEOUT_S * 1000, `the slot was held while the client did not read (${heldMs} ms)`);
    assert.ok(heldMs <= CUT_WITHIN_MS, `the slot was freed ${heldMs} ms after the request (Timeout ${TIMEOUT_S} s + grace, at most twice)`);
    // The usage report comes once a second: a last look after the cut.
    await sleep(1200);
    rssMax = Math.max(rssMax, rssOf());
    assert.ok(rssMax - rssBefore < RSS_GROWTH_LIMIT, `the child did not buffer the response: rss ${Math.round(rssBefore / 1048576)} → ${Math.round(rssMax / 1048576)} MiB`);

    // The connection was cut: reading now ends well short of the whole response.
    let received = 0;
    let closed = false;
    client.once('close', () => (closed = true));
    client.on('data', (c: Buffer) => (received += c.length));
    client.resume();
    await waitFor('the client to see its connection end', () => closed, 15_000);
    t.diagnostic(`slot held ${heldMs} ms; ${served} other requests served meanwhile; rss ${Math.round(rssBefore / 1048576)} → ${Math.round(rssMax / 1048576)} MiB; ${received} bytes reached the client`);
    assert.ok(received < SIZE, `the response was cut short: ${received} of ${SIZE} bytes`);
    client.destroy();
    assert.equal((await get(port, '/')).status, 200);
  });
}
