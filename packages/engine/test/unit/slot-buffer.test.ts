import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSlotBuffer, SlotReader, SlotWriter } from '../../src/scoreboard/slot-buffer.js';

describe('slot buffer', () => {
  it('a reader sees what the slot writer wrote, record by record', () => {
    const sab = createSlotBuffer(2);
    const a = new SlotWriter(sab, 0);
    const b = new SlotWriter(sab, 1);
    a.connection('10.0.0.1', 1000);
    a.requestStart('GET /a HTTP/1.1', 'example.test:80', 'http/1.1', 1010);
    a.requestEnd(120, 1030, 'K');
    b.status('_', 1000);
    const reader = new SlotReader(sab);
    const ra = reader.read(0);
    assert.deepEqual(
      [ra.status, ra.client, ra.request, ra.vhost, ra.protocol, ra.connCount, ra.myAccessCount, ra.connBytes, ra.durationMs],
      ['K', '10.0.0.1', 'GET /a HTTP/1.1', 'example.test:80', 'http/1.1', 1, 1, 120, 20],
    );
    assert.equal(reader.read(1).status, '_');
    assert.equal(reader.read(1).request, '');
  });

  it('a response that leaves the slot READY counts for the slot, not for a connection it no longer holds', () => {
    const sab = createSlotBuffer(2);
    const parked = new SlotWriter(sab, 0);
    const viaStatus = new SlotWriter(sab, 1);
    for (const w of [parked, viaStatus]) {
      w.connection('10.0.0.1', 1000, 4, 900);
      w.requestStart('GET /a HTTP/1.1', 'example.test:80', 'http/1.1', 1010);
    }
    // One update (event parks the connection as its response ends) ...
    parked.requestEnd(120, 1030, '_');
    // ... leaves the record as the two it replaces: counted, then READY.
    viaStatus.requestEnd(120, 1030, 'K');
    viaStatus.status('_', 1030);
    const reader = new SlotReader(sab);
    const fields = (i: number): unknown[] => {
      const r = reader.read(i);
      return [r.status, r.connCount, r.connBytes, r.myAccessCount, r.myBytesServed, r.durationMs, r.lastUsed];
    };
    assert.deepEqual(fields(0), ['_', 0, 0, 1, 120, 20, 1030]);
    assert.deepEqual(fields(0), fields(1));
  });

  it('a string written again unchanged stays right, and a changed one replaces it whole', () => {
    const sab = createSlotBuffer(1);
    const w = new SlotWriter(sab, 0);
    const reader = new SlotReader(sab);
    w.requestStart('GET /first/and/longer HTTP/1.1', 'h:80', 'http/1.1', 1);
    w.requestEnd(1, 2, 'K');
    // Equal content from a different string object: skipped, and still what the reader gets.
    w.requestStart(['GET', '/first/and/longer', 'HTTP/1.1'].join(' '), 'h:80', 'http/1.1', 3);
    assert.equal(reader.read(0).request, 'GET /first/and/longer HTTP/1.1');
    w.requestStart('GET / HTTP/1.1', 'h:80', 'http/1.1', 4);
    assert.equal(reader.read(0).request, 'GET / HTTP/1.1');
    // A new connection clears the request, as httpd does.
    w.connection('::1', 5);
    assert.equal(reader.read(0).request, '');
    assert.equal(reader.read(0).client, '::1');
  });

  it("a new writer for a slot overwrites what an earlier owner left (a replaced thread's slot)", () => {
    const sab = createSlotBuffer(1);
    new SlotWriter(sab, 0).requestStart('POST /old HTTP/1.1', 'old:80', 'http/1.0', 1);
    const fresh = new SlotWriter(sab, 0);
    const reader = new SlotReader(sab);
    // The new writer has written nothing yet, so it cannot know the record already says ''.
    fresh.connection('127.0.0.1', 2);
    assert.equal(reader.read(0).request, '');
    fresh.requestStart('GET /new HTTP/1.1', 'old:80', 'http/1.1', 3);
    const rec = reader.read(0);
    assert.deepEqual([rec.request, rec.vhost, rec.protocol, rec.client], ['GET /new HTTP/1.1', 'old:80', 'http/1.1', '127.0.0.1']);
  });

  it('keeps the first 63 characters of a long request line, and multi-byte text whole', () => {
    const sab = createSlotBuffer(1);
    const w = new SlotWriter(sab, 0);
    w.requestStart(`GET /${'x'.repeat(100)} HTTP/1.1`, 'hôte.test:80', 'http/1.1', 1);
    const rec = new SlotReader(sab).read(0);
    assert.equal(rec.request.length, 63);
    assert.equal(rec.request, `GET /${'x'.repeat(58)}`);
    assert.equal(rec.vhost, 'hôte.test:80');
  });
});
