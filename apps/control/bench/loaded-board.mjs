/**
 * A loaded 1,024-slot event pool (16 children × 64 threads) as the engine's scoreboard image,
 * moved on one stream tick at a time: each step, `fraction` of the thread slots take their
 * next step through a keep-alive connection's life, the way a pool under a load generator
 * does.
 *
 *   _ ──new connection──▶ W ──request done──▶ K ──next request──▶ W …
 *                                             └──connection closed──▶ _
 *
 * Request lines, client addresses, start/stop times, per-connection/child/slot counters and
 * byte counts move as httpd's scoreboard moves them; each child's connections, RSS and CPU
 * change with its once-a-tick report. Seeded: the same seed gives the same boards.
 */

/** mulberry32. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));

/** Mostly the load generator's request; a few others. */
const REQUESTS = [
  ['GET /sleep?ms=50 HTTP/1.1', 0.7, 50, 180],
  ['GET / HTTP/1.1', 0.1, 1, 310],
  ['GET /cpu?ms=20 HTTP/1.1', 0.1, 20, 175],
  ['GET /bytes?n=4096 HTTP/1.1', 0.1, 2, 4245],
];

function pickRequest(r) {
  let x = r();
  for (const req of REQUESTS) if ((x -= req[1]) < 0) return req;
  return REQUESTS[0];
}

/** Load generators on a few hosts, each from many ports: 24 addresses. */
const CLIENTS = Array.from({ length: 24 }, (_, i) => `10.0.${1 + (i >> 3)}.${10 + (i & 7) * 3}`);

export function loadedBoard({ processes = 16, threads = 64, fraction = 0.1, seed = 7, start = Date.now() } = {}) {
  const r = prng(seed);
  let now = start;
  const image = {
    global: { mpm: 'event', serverName: 'localhost', serverVersion: 'Forkyard/0.1.0', restartTime: start - 3_600_000, configGeneration: 1, mpmGeneration: 0, acceptQueue: 0, acceptRefused: 0 },
    limits: { serverLimit: processes, threadLimit: threads, threadsPerChild: threads, maxRequestWorkers: processes * threads, maxDaemons: processes },
    processes: [],
    workers: [],
  };
  for (let p = 0; p < processes; p++) {
    image.processes.push({
      pid: 20_000 + p * 7,
      generation: 0,
      quiescing: false,
      notAccepting: false,
      connections: 0,
      writeCompletion: 0,
      keepAlive: 0,
      lingeringClose: 0,
      waitIo: 0,
      startedAt: start - 3_600_000 + p * 40,
      rss: int(r, 60, 90) * 1024 * 1024,
      cpuUser: int(r, 100, 300),
      cpuSystem: int(r, 20, 80),
    });
    const row = [];
    for (let t = 0; t < threads; t++) {
      const [request, , ms, bytes] = pickRequest(r);
      const served = int(r, 2_000, 9_000);
      const mine = served - int(r, 0, 1_000);
      const conn = int(r, 0, 60);
      const status = r() < 0.35 ? 'W' : r() < 0.75 ? 'K' : '_';
      const stop = now - int(r, 0, 2_000);
      const w = {
        status,
        connCount: conn,
        connBytes: conn * bytes,
        accessCount: served,
        bytesServed: served * 420,
        myAccessCount: mine,
        myBytesServed: mine * 420,
        startTime: stop - ms - int(r, 0, 5),
        stopTime: stop,
        lastUsed: stop,
        durationMs: ms,
        client: CLIENTS[int(r, 0, CLIENTS.length - 1)],
        request,
        vhost: 'localhost:8080',
      };
      if (status === 'W') {
        w.startTime = now - int(r, 0, 50);
        w.stopTime = 0;
        w.lastUsed = w.startTime;
      }
      row.push(w);
    }
    image.workers.push(row);
  }

  function stepWorker(w, t) {
    if (w.status === 'W') {
      // The request is done: the connection waits for the next one.
      const [, , , bytes] = REQUESTS.find((q) => q[0] === w.request) ?? REQUESTS[0];
      const size = bytes + int(r, 0, 12);
      w.status = 'K';
      w.stopTime = t;
      w.durationMs = t - w.startTime;
      w.lastUsed = t;
      w.connCount++;
      w.myAccessCount++;
      w.accessCount++;
      w.connBytes += size;
      w.myBytesServed += size;
      w.bytesServed += size;
      return;
    }
    if (w.status === 'K' && r() < 0.15) {
      w.status = '_';
      w.lastUsed = t;
      return;
    }
    if (w.status === '_') {
      // A new connection from the load generator.
      w.client = CLIENTS[int(r, 0, CLIENTS.length - 1)];
      w.connCount = 0;
      w.connBytes = 0;
    }
    w.status = 'W';
    w.request = pickRequest(r)[0];
    w.startTime = t;
    w.stopTime = 0;
    w.lastUsed = t;
  }

  /** The next tick's image (`ms` later): the same object, moved on. */
  function step(ms = 100) {
    now += ms;
    for (let p = 0; p < processes; p++) {
      const row = image.workers[p];
      for (const w of row) if (r() < fraction) stepWorker(w, now - int(r, 0, ms - 1));
      const ps = image.processes[p];
      let open = 0;
      let waiting = 0;
      for (const w of row) {
        if (w.status !== '_') open++;
        if (w.status === 'K') waiting++;
      }
      ps.connections = open;
      ps.keepAlive = waiting;
      ps.rss += int(r, -64, 64) * 1024;
      ps.cpuUser += int(r, 10, 40) / 1000;
      ps.cpuSystem += int(r, 2, 10) / 1000;
    }
    return image;
  }

  return { image, step, now: () => now };
}
