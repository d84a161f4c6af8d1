import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { elapsedMs, StatusSnapshotSchema, THREAD_LAST_MS, THREAD_STARTED, toSnapshot, type ImageLike, type ImageProcess, type ImageWorker } from '../src/index.js';

const NOW = 1_800_000_000_000;

function worker(status: string, extra: Partial<ImageWorker> = {}): ImageWorker {
  return {
    status,
    connCount: 0,
    connBytes: 0,
    accessCount: 0,
    bytesServed: 0,
    myAccessCount: 0,
    myBytesServed: 0,
    startTime: 0,
    stopTime: 0,
    lastUsed: 0,
    durationMs: 0,
    client: '',
    request: '',
    vhost: '',
    ...extra,
  };
}

function proc(pid: number, extra: Partial<ImageProcess> = {}): ImageProcess {
  return {
    pid,
    generation: 1,
    quiescing: false,
    notAccepting: false,
    connections: 0,
    writeCompletion: 0,
    keepAlive: 0,
    lingeringClose: 0,
    waitIo: 0,
    startedAt: NOW - 5000,
    rss: 50e6,
    cpuUser: 0.25,
    cpuSystem: 0.125,
    ...extra,
  };
}

/** An event board: 4 child slots × ThreadLimit 4, ThreadsPerChild 3. */
function image(): ImageLike {
  return {
    global: { mpm: 'event', serverName: 'localhost', serverVersion: 'Forkyard/0.1.0', restartTime: NOW - 60_000, configGeneration: 2, mpmGeneration: 1, acceptQueue: 2, acceptRefused: 5 },
    limits: { serverLimit: 4, threadLimit: 4, threadsPerChild: 3, maxRequestWorkers: 12, maxDaemons: 4 },
    processes: [
      proc(101, { connections: 5, keepAlive: 2, writeCompletion: 1 }),
      proc(102, { generation: 0, quiescing: true }),
      proc(0, { generation: 0, cpuUser: 0, cpuSystem: 0, startedAt: 0, rss: 0 }),
      proc(0, { generation: 0, cpuUser: 0, cpuSystem: 0, startedAt: 0, rss: 0 }),
    ],
    workers: [
      [
        worker('W', { request: 'GET /sleep?ms=500 HTTP/1.1', client: '127.0.0.1', vhost: '127.0.0.1:8080', startTime: NOW - 120, lastUsed: NOW - 120, connCount: 1, myAccessCount: 4, accessCount: 9, bytesServed: 1000 }),
        worker('_', { request: 'GET / HTTP/1.1', startTime: NOW - 1000, stopTime: NOW - 993, myAccessCount: 2, accessCount: 2, bytesServed: 200 }),
        worker('K'),
        worker('.'),
      ],
      [worker('G'), worker('_'), worker('R'), worker('.')],
      [worker('.', { accessCount: 7, bytesServed: 70 }), worker('.'), worker('.'), worker('.')],
      // A slot past ThreadsPerChild still used by an older, wider generation.
      [worker('.'), worker('.'), worker('.'), worker('W')],
    ],
  };
}

/** httpd's counts of image(), as the engine's countWorkers gives them. */
const COUNTS = {
  busy: 2, // W and K of the live child; the quiescing child's R is not counted (not prefork)
  idle: 1,
  graceful: 0,
  processes: 2,
  stopping: 1,
  connsTotal: 5,
  connsAsyncWaitIO: 0,
  connsAsyncWriting: 1,
  connsAsyncKeepAlive: 2,
  connsAsyncClosing: 0,
  accesses: 18,
  bytes: 1270,
};

describe('toSnapshot', () => {
  it('carries the counts it is given (the engine counts them, by the rule /server-status prints)', () => {
    assert.deepStrictEqual(toSnapshot(image(), NOW, COUNTS).counts, COUNTS);
  });

  it('lists occupied slots in order, ThreadsPerChild wide unless a live thread slot lies beyond', () => {
    const s = toSnapshot(image(), NOW, COUNTS);
    assert.ok(Value.Check(StatusSnapshotSchema, s), [...Value.Errors(StatusSnapshotSchema, s)].map((e) => `${e.path} ${e.message}`).join('; '));
    assert.deepStrictEqual(
      s.processes.map((p) => [p.slot, p.pid, p.letters]),
      [
        [0, 101, 'W_K'],
        [1, 102, 'G_R'],
        [3, 0, '...W'],
      ],
    );
    const p0 = s.processes[0]!;
    assert.deepStrictEqual(
      { requests: p0.requests, cpu: p0.cpu, writing: p0.writing, keepAlive: p0.keepAlive },
      { requests: 6, cpu: 0.375, writing: 1, keepAlive: 2 },
    );
    assert.deepStrictEqual(p0.threads[0], ['GET /sleep?ms=500 HTTP/1.1', '127.0.0.1', '127.0.0.1:8080', NOW - 120, 0, NOW - 120, 1, 4, 9, 0, 0, 1000]);
    assert.equal(elapsedMs(s, p0.threads[0]!), 120);
    assert.equal(p0.threads[1]![THREAD_STARTED], 0, 'a finished request is not in flight');
    assert.equal(p0.threads[1]![THREAD_LAST_MS], 7);
    assert.equal(elapsedMs(s, p0.threads[1]!), 0);
    assert.deepStrictEqual(
      { mpm: s.mpm, generation: s.generation, configGeneration: s.configGeneration, acceptQueue: s.acceptQueue, acceptRefused: s.acceptRefused, time: s.time },
      { mpm: 'event', generation: 1, configGeneration: 2, acceptQueue: 2, acceptRefused: 5, time: NOW },
    );
  });

  it('is JSON-safe: a round trip changes nothing', () => {
    const s = toSnapshot(image(), NOW, COUNTS);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(s)), s);
  });
});
