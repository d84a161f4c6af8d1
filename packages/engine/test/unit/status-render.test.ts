import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScoreboardImage } from '../../src/scoreboard/types.js';
import { countWorkers, renderAuto, renderHtml, scoreboardString } from '../../src/status/index.js';
import { RESTART, liveChild, makeImage, setProcess, setWorker } from './fixtures/image.js';

const LOAD: [number, number, number] = [0.5, 0.25, 0.125];
const HOUR_2M_3S = RESTART + 3723_000;

/** Prefork, 4 slots showing `_ W K .`; the dead slot still carries an old child's counters. */
function preforkImage(): ScoreboardImage {
  const image = makeImage({
    mpm: 'prefork',
    serverLimit: 4,
    global: { cpuUser: 0.5, cpuSystem: 0.25, acceptQueue: 2, acceptRefused: 7 },
  });
  liveChild(image, 0, 101, '_');
  liveChild(image, 1, 102, 'W');
  liveChild(image, 2, 103, 'K');
  setProcess(image, 1, { cpuUser: 0.1, cpuSystem: 0.02 });
  setWorker(image, 1, 0, { accessCount: 10, bytesServed: 10240, durationMs: 50 });
  setWorker(image, 2, 0, { accessCount: 5, bytesServed: 5120, durationMs: 25.4 });
  setWorker(image, 3, 0, { accessCount: 3, bytesServed: 3072 });
  return image;
}

/** Event, 3 children × 4 threads (MaxRequestWorkers 12), generation 1. */
function eventImage(): ScoreboardImage {
  const image = makeImage({
    mpm: 'event',
    serverLimit: 4,
    threadLimit: 4,
    maxRequestWorkers: 12,
    global: { mpmGeneration: 1, configGeneration: 2 },
  });
  liveChild(image, 0, 201, 'R_W_');
  liveChild(image, 1, 202, '__G_');
  setProcess(image, 0, { connections: 9, waitIo: 1, writeCompletion: 2, keepAlive: 3, lingeringClose: 1 });
  setProcess(image, 1, { connections: 4, keepAlive: 4 });
  return image;
}

const autoOpts = (now: number) => ({ now, loadavg: LOAD, serverName: 'localhost' });

describe('renderAuto', () => {
  it('prints the prefork ?auto text line for line', () => {
    const lines = renderAuto(preforkImage(), autoOpts(HOUR_2M_3S)).split('\n');
    const expected = [
      'localhost',
      'ServerVersion: Forkyard/0.1.0 (Node.js)',
      'ServerMPM: prefork',
      'Server Built: 2026-11-12T08:58:41',
      'CurrentTime: Friday, 27-Nov-2026 11:45:21 UTC',
      'RestartTime: Friday, 27-Nov-2026 10:43:18 UTC',
      'ParentServerConfigGeneration: 1',
      'ParentServerMPMGeneration: 0',
      'ServerUptimeSeconds: 3723',
      'ServerUptime: 1 hour 2 minutes 3 seconds',
      'Load1: 0.50',
      'Load5: 0.25',
      'Load15: 0.13',
      'Total Accesses: 18',
      'Total kBytes: 18',
      'Total Duration: 75',
      'CPUUser: .6',
      'CPUSystem: .27',
      'CPUChildrenUser: 0',
      'CPUChildrenSystem: 0',
      'CPULoad: .0233683',
      'Uptime: 3723',
      'ReqPerSec: .00483481',
      'BytesPerSec: 4.95085',
      'BytesPerReq: 1024',
      'DurationPerReq: 4.16667',
      'BusyWorkers: 2',
      'GracefulWorkers: 0',
      'IdleWorkers: 1',
      'Scoreboard: _WK.',
      'ForkyardAcceptQueue: 2',
      'ForkyardAcceptRefused: 7',
      '',
    ];
    for (let i = 0; i < Math.max(lines.length, expected.length); i++) {
      assert.equal(lines[i], expected[i], `line ${i + 1}`);
    }
  });

  it('matches what httpd 2.4.71 printed for the same prefork scoreboard', () => {
    const restart = Date.UTC(2026, 10, 27, 11, 48, 2);
    const image = makeImage({
      mpm: 'prefork',
      serverLimit: 8,
      maxRequestWorkers: 6,
      global: { restartTime: restart, serverVersion: 'Apache/2.4.71 (Debian)' },
    });
    liveChild(image, 0, 6377, 'W');
    liveChild(image, 1, 6378, '_');
    setWorker(image, 0, 0, { accessCount: 5, bytesServed: 5000, durationMs: 1 });
    setWorker(image, 1, 0, { accessCount: 4, bytesServed: 3500, durationMs: 2 });
    const text = renderAuto(image, { now: restart + 7500, loadavg: [0.17, 0.17, 0.08], serverName: '127.0.0.1' });
    const httpd = [
      '127.0.0.1',
      'ServerVersion: Apache/2.4.71 (Debian)',
      'ServerMPM: prefork',
      'Server Built: 2026-11-12T08:58:41',
      'CurrentTime: Friday, 27-Nov-2026 11:48:09 UTC',
      'RestartTime: Friday, 27-Nov-2026 11:48:02 UTC',
      'ParentServerConfigGeneration: 1',
      'ParentServerMPMGeneration: 0',
      'ServerUptimeSeconds: 7',
      'ServerUptime: 7 seconds',
      'Load1: 0.17',
      'Load5: 0.17',
      'Load15: 0.08',
      'Total Accesses: 9',
      'Total kBytes: 8',
      'Total Duration: 3',
      'CPUUser: 0',
      'CPUSystem: 0',
      'CPUChildrenUser: 0',
      'CPUChildrenSystem: 0',
      'Uptime: 7',
      'ReqPerSec: 1.28571',
      'BytesPerSec: 1170.29',
      'BytesPerReq: 910.222',
      'DurationPerReq: .333333',
      'BusyWorkers: 1',
      'GracefulWorkers: 0',
      'IdleWorkers: 1',
      'Scoreboard: W_....',
    ].join('\n');
    assert.equal(text, `${httpd}\nForkyardAcceptQueue: 0\nForkyardAcceptRefused: 0\n`);
  });

  it('prints the async block for event only, in httpd order, before Scoreboard', () => {
    const lines = renderAuto(eventImage(), autoOpts(RESTART + 60_000)).split('\n');
    const at = lines.indexOf('IdleWorkers: 5');
    assert.ok(at > 0, 'IdleWorkers line');
    assert.deepEqual(lines.slice(at - 2, at + 11), [
      'BusyWorkers: 2',
      'GracefulWorkers: 1',
      'IdleWorkers: 5',
      'Processes: 2',
      'Stopping: 0',
      'ConnsTotal: 13',
      'ConnsAsyncWaitIO: 1',
      'ConnsAsyncWriting: 2',
      'ConnsAsyncKeepAlive: 7',
      'ConnsAsyncClosing: 1',
      'Scoreboard: R_W___G_....',
      'ForkyardAcceptQueue: 0',
      'ForkyardAcceptRefused: 0',
    ]);
    for (const mpm of ['prefork', 'worker'] as const) {
      const image = eventImage();
      image.global.mpm = mpm;
      assert.doesNotMatch(renderAuto(image, autoOpts(RESTART + 60_000)), /^(Processes|Stopping|Conns\w*):/m);
    }
  });

  it('leaves out the rate lines at uptime 0 and the per-request lines without accesses', () => {
    const image = makeImage({ mpm: 'worker', serverLimit: 2, threadLimit: 2 });
    liveChild(image, 0, 301, '_W');
    const text = renderAuto(image, autoOpts(RESTART + 999));
    assert.match(text, /\nServerUptimeSeconds: 0\nServerUptime:\nLoad1: /);
    assert.match(text, /\nCPUChildrenSystem: 0\nUptime: 0\nBusyWorkers: 1\n/);
    assert.doesNotMatch(text, /CPULoad|ReqPerSec|BytesPerSec|BytesPerReq|DurationPerReq/);
  });

  it('has no ExtendedStatus block when ExtendedStatus is off', () => {
    const image = preforkImage();
    image.global.extendedStatus = false;
    const text = renderAuto(image, autoOpts(HOUR_2M_3S));
    assert.match(text, /\nLoad15: 0\.13\nBusyWorkers: 2\n/);
  });
});

describe('countWorkers', () => {
  it('skips the threads of a quiescing process but still counts the process', () => {
    const image = eventImage();
    liveChild(image, 3, 204, 'WWG_');
    setProcess(image, 3, { quiescing: true, connections: 5 });
    const counts = countWorkers(image);
    assert.deepEqual([counts.busy, counts.graceful, counts.idle], [2, 1, 5]);
    assert.deepEqual([counts.processes, counts.stopping, counts.connsTotal], [3, 1, 18]);
  });

  it('does not count an old generation `_` as idle, but counts its busy threads', () => {
    const image = eventImage();
    setProcess(image, 1, { generation: 0 });
    const counts = countWorkers(image);
    assert.deepEqual([counts.busy, counts.graceful, counts.idle], [2, 1, 2]);
  });

  it('counts old prefork children marked G as graceful (prefork never quiesces)', () => {
    const image = preforkImage();
    image.global.mpmGeneration = 1;
    setWorker(image, 2, 0, { status: 'G' });
    const counts = countWorkers(image);
    assert.deepEqual([counts.busy, counts.graceful, counts.idle], [1, 1, 0]);
  });

  it('counts starting, idle-killed and dead threads of a live process as nothing', () => {
    const image = makeImage({ mpm: 'worker', serverLimit: 1, threadLimit: 4 });
    liveChild(image, 0, 701, 'SI.L');
    const counts = countWorkers(image);
    assert.deepEqual([counts.busy, counts.graceful, counts.idle], [1, 0, 0]);
  });

  it('adds up accesses, bytes and durations of dead slots too', () => {
    const counts = countWorkers(preforkImage());
    assert.deepEqual([counts.totalAccesses, counts.totalBytes, counts.totalDurationMs], [18, 18432, 75.4]);
  });
});

describe('scoreboardString', () => {
  it('is MaxRequestWorkers long for prefork', () => {
    const image = makeImage({ mpm: 'prefork', serverLimit: 8, maxRequestWorkers: 6 });
    liveChild(image, 1, 401, 'W');
    assert.equal(scoreboardString(image), '.W....');
  });

  it('is MaxDaemons × ThreadsPerChild long, leaving out dead slots beyond either limit', () => {
    const image = makeImage({ mpm: 'event', serverLimit: 4, threadLimit: 4, threadsPerChild: 3, maxRequestWorkers: 7 });
    liveChild(image, 0, 501, '_W_');
    assert.equal(scoreboardString(image), '_W_...');
  });

  it('still prints live slots beyond MaxDaemons and ThreadsPerChild', () => {
    const image = makeImage({ mpm: 'event', serverLimit: 4, threadLimit: 4, threadsPerChild: 3, maxRequestWorkers: 6 });
    liveChild(image, 3, 601, 'GG.G');
    assert.equal(scoreboardString(image), '......GGG');
  });
});

describe('renderHtml', () => {
  const htmlOpts = (now: number) => ({ ...autoOpts(now), localAddress: '127.0.0.1' });

  it('reproduces httpd 2.4.71 byte for byte (event, old generation stopping), Forkyard heading aside', () => {
    const restart = Date.UTC(2026, 10, 27, 11, 48, 13);
    const now = restart + 5300;
    const image = makeImage({
      mpm: 'event',
      serverLimit: 4,
      threadLimit: 4,
      maxRequestWorkers: 8,
      global: { restartTime: restart, serverVersion: 'Apache/2.4.71 (Debian)', configGeneration: 2 },
    });
    liveChild(image, 0, 6519, 'G...');
    image.global.mpmGeneration = 1;
    liveChild(image, 2, 6614, 'W___');
    liveChild(image, 3, 6615, '____');
    setProcess(image, 0, { quiescing: true, notAccepting: true, connections: 1, lingeringClose: 1 });
    const conn = { client: '127.0.0.1', protocol: 'http/1.1', vhost: 'localhost:18481', bytesServed: 700 };
    setWorker(image, 0, 0, { ...conn, myAccessCount: 1, accessCount: 1, lastUsed: now - 1200, request: 'GET / HTTP/1.1' });
    setWorker(image, 0, 1, { ...conn, accessCount: 1, lastUsed: now - 1200, request: 'GET / HTTP/1.1' });
    setWorker(image, 0, 2, { ...conn, accessCount: 1, lastUsed: now - 1200, request: 'GET /sleep HTTP/1.1' });
    setWorker(image, 1, 0, { ...conn, accessCount: 1, lastUsed: now - 300, request: 'GET /server-status?auto HTTP/1.1' });
    setWorker(image, 2, 0, { ...conn, bytesServed: 0, connCount: 1, lastUsed: now - 10, request: 'GET /server-status HTTP/1.1' });
    const page = renderHtml(image, { now, loadavg: [0.14, 0.17, 0.08], serverName: '127.0.0.1', localAddress: '127.0.0.1' });
    const lines = page.split('\n');
    for (let i = 0; i < Math.max(lines.length, HTTPD_EVENT_PAGE.length); i++) {
      assert.equal(lines[i], HTTPD_EVENT_PAGE[i], `line ${i + 1}`);
    }
  });

  it('prints the per-process table for prefork too, with a Sum row of the global counts', () => {
    const page = renderHtml(preforkImage(), htmlOpts(HOUR_2M_3S));
    assert.ok(page.includes('</dl>\n\n<table rules="all" cellpadding="1%">\n'));
    const row = (...v: Array<string | number>) => `<tr>${v.map((x) => `<td>${x}</td>`).join('')}</tr>\n`;
    assert.ok(page.includes(row(1, 102, 'no', 0, 'yes', 1, 0, 0, 0, 0, 0, 0)));
    assert.ok(page.includes(row('Sum', 3, 0, 0, '&nbsp;', 2, 0, 1, 0, 0, 0, 0) + '</table>\n<pre>_WK.</pre>\n'));
  });

  it('prints per-worker rows with bold busy letters and escapes request, client and vhost', () => {
    const image = preforkImage();
    setWorker(image, 1, 0, {
      request: 'GET /<script>alert("x")</script> HTTP/1.1',
      client: '<img>',
      vhost: 'a&b:80',
      protocol: 'http/1.1',
      connCount: 2,
      myAccessCount: 4,
      lastUsed: HOUR_2M_3S - 2500,
      startTime: HOUR_2M_3S - 2600,
      stopTime: HOUR_2M_3S - 2500,
      connBytes: 2048,
    });
    const page = renderHtml(image, htmlOpts(HOUR_2M_3S));
    assert.doesNotMatch(page, /<script>|<img>/);
    assert.ok(
      page.includes(
        '<tr><td><b>1-0</b></td><td>102</td><td>2/4/10</td><td><b>W</b>\n' +
          '</td><td>0.12</td><td>2</td><td>100</td><td>50</td><td>2.0</td><td>0.00</td><td>0.01\n' +
          '</td><td>&lt;img&gt;</td><td>http/1.1</td><td nowrap>a&amp;b:80</td>' +
          '<td nowrap>GET /&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt; HTTP/1.1</td></tr>\n\n',
      ),
    );
    assert.ok(page.includes('<td>0/0/5</td><td><b>K</b>\n'));
    assert.ok(page.includes('<tr><td><b>3-0</b></td><td>-</td><td>0/0/3</td><td>.\n'), 'dead slot with accesses');
    assert.doesNotMatch(page, /<td><b>0-0<\/b><\/td>/, 'an idle slot that never served has no row');
  });

  it('lists the PID Key and the ExtendedStatus hint when ExtendedStatus is off', () => {
    const image = preforkImage();
    image.global.extendedStatus = false;
    const page = renderHtml(image, htmlOpts(HOUR_2M_3S));
    assert.ok(
      page.endsWith(
        '</p>\nPID Key: <br />\n<pre>\n   101 in state: _ ,   102 in state: W ,   103 in state: K \n\n</pre>\n' +
          '<hr />To obtain a full report with current status information you need to use the ' +
          '<code>ExtendedStatus On</code> directive.\n</body></html>\n',
      ),
    );
    assert.doesNotMatch(page, /Total accesses|<table border/);
  });

  it('breaks the scoreboard grid after every 64 letters', () => {
    const image = makeImage({ mpm: 'prefork', serverLimit: 150 });
    const page = renderHtml(image, htmlOpts(HOUR_2M_3S));
    assert.ok(page.includes(`<pre>${'.'.repeat(64)}\n${'.'.repeat(64)}\n${'.'.repeat(22)}</pre>`));
  });

  it('lays the details out as a list with ?notable', () => {
    const image = preforkImage();
    setWorker(image, 1, 0, { request: 'GET /a', client: '::1', protocol: 'http/1.1', vhost: 'h:80', myBytesServed: 6000 });
    const page = renderHtml(image, { ...htmlOpts(HOUR_2M_3S), notable: true });
    assert.ok(
      page.includes(
        '<hr /><h2>Server Details</h2>\n\n<b>Server 1-0</b> (102): 0|0|10 [<b>Write</b>] u.1 s.02 cu0 cs0\n' +
          ' 3723 0 50(0 B|5.9 kB|10.0 kB)\n <i>::1 {GET /a}</i> <i>(http/1.1)</i> <b>[h:80]</b><br />\n\n',
      ),
    );
    assert.doesNotMatch(page, /<table border/);
  });
});

/** httpd 2.4.71's own page for the same event scoreboard, with only the heading changed. */
const HTTPD_EVENT_PAGE = [
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">',
  '<html><head>',
  '<title>Apache Status</title>',
  '</head><body>',
  '<h1>Forkyard Server Status for 127.0.0.1 (via 127.0.0.1)</h1>',
  '',
  '<dl><dt>Server Version: Apache/2.4.71 (Debian)</dt>',
  '<dt>Server MPM: event</dt>',
  '<dt>Server Built: 2026-11-12T08:58:41',
  '</dt></dl><hr /><dl>',
  '<dt>Current Time: Friday, 27-Nov-2026 11:48:18 UTC</dt>',
  '<dt>Restart Time: Friday, 27-Nov-2026 11:48:13 UTC</dt>',
  '<dt>Parent Server Config. Generation: 2</dt>',
  '<dt>Parent Server MPM Generation: 1</dt>',
  '<dt>Server uptime:  5 seconds</dt>',
  '<dt>Server load: 0.14 0.17 0.08</dt>',
  '<dt>Total accesses: 4 - Total Traffic: 2 kB - Total Duration: 0</dt>',
  '<dt>CPU Usage: u0 s0 cu0 cs0</dt>',
  '<dt>.8 requests/sec - 409 B/second - 512 B/request - 0 ms/request</dt>',
  '<dt>1 requests currently being processed, 0 workers gracefully restarting, 7 idle workers</dt>',
  '</dl>',
  '',
  '<table rules="all" cellpadding="1%">',
  '<tr><th rowspan="2">Slot</th><th rowspan="2">PID</th><th rowspan="2">Stopping</th><th colspan="2">Connections</th>',
  '<th colspan="3">Threads</th><th colspan="4">Async connections</th></tr>',
  '<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th><th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>',
  '<tr><td>0</td><td>6519</td><td>yes (old gen)</td><td>1</td><td>no</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>',
  '<tr><td>2</td><td>6614</td><td>no</td><td>0</td><td>yes</td><td>1</td><td>0</td><td>3</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>',
  '<tr><td>3</td><td>6615</td><td>no</td><td>0</td><td>yes</td><td>0</td><td>0</td><td>4</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>',
  '<tr><td>Sum</td><td>3</td><td>1</td><td>1</td><td>&nbsp;</td><td>1</td><td>0</td><td>7</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>',
  '</table>',
  '<pre>G.......W_______</pre>',
  '<p>Scoreboard Key:<br />',
  '"<b><code>_</code></b>" Waiting for Connection, ',
  '"<b><code>S</code></b>" Starting up, ',
  '"<b><code>R</code></b>" Reading Request,<br />',
  '"<b><code>W</code></b>" Sending Reply, ',
  '"<b><code>K</code></b>" Keepalive (read), ',
  '"<b><code>D</code></b>" DNS Lookup,<br />',
  '"<b><code>C</code></b>" Closing connection, ',
  '"<b><code>L</code></b>" Logging, ',
  '"<b><code>G</code></b>" Gracefully finishing,<br /> ',
  '"<b><code>I</code></b>" Idle cleanup of worker, ',
  '"<b><code>.</code></b>" Open slot with no current process<br />',
  '</p>',
  '',
  '',
  '<table border="0"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU',
  '</th><th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th><th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>',
  '',
  '<tr><td><b>0-0</b></td><td>6519</td><td>0/1/1</td><td>G',
  '</td><td>0.00</td><td>1</td><td>0</td><td>0</td><td>0.0</td><td>0.00</td><td>0.00',
  '</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:18481</td><td nowrap>GET / HTTP/1.1</td></tr>',
  '',
  '<tr><td><b>0-0</b></td><td>-</td><td>0/0/1</td><td>.',
  '</td><td>0.00</td><td>1</td><td>0</td><td>0</td><td>0.0</td><td>0.00</td><td>0.00',
  '</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:18481</td><td nowrap>GET / HTTP/1.1</td></tr>',
  '',
  '<tr><td><b>0-0</b></td><td>-</td><td>0/0/1</td><td>.',
  '</td><td>0.00</td><td>1</td><td>0</td><td>0</td><td>0.0</td><td>0.00</td><td>0.00',
  '</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:18481</td><td nowrap>GET /sleep HTTP/1.1</td></tr>',
  '',
  '<tr><td><b>1-0</b></td><td>-</td><td>0/0/1</td><td>.',
  '</td><td>0.00</td><td>0</td><td>0</td><td>0</td><td>0.0</td><td>0.00</td><td>0.00',
  '</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:18481</td><td nowrap>GET /server-status?auto HTTP/1.1</td></tr>',
  '',
  '<tr><td><b>2-1</b></td><td>6614</td><td>1/0/0</td><td><b>W</b>',
  '</td><td>0.00</td><td>0</td><td>0</td><td>0</td><td>0.0</td><td>0.00</td><td>0.00',
  '</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:18481</td><td nowrap>GET /server-status HTTP/1.1</td></tr>',
  '',
  '</table>',
  ' <hr /> <table>',
  ' <tr><th>Srv</th><td>Child Server number - generation</td></tr>',
  ' <tr><th>PID</th><td>OS process ID</td></tr>',
  ' <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>',
  ' <tr><th>M</th><td>Mode of operation</td></tr>',
  '<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>',
  '<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>',
  ' <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>',
  ' <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>',
  ' <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>',
  ' <tr><th>Child</th><td>Megabytes transferred this child</td></tr>',
  ' <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>',
  ' </table>',
  '</body></html>',
  '',
];
