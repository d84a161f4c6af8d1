/**
 * Prefork mod_status over HTTP: `?auto` has httpd's lines in httpd's order (no async block for
 * prefork), counts the status request itself as busy, prints one scoreboard letter per
 * MaxRequestWorkers slot, and counts completed requests in Total Accesses; the HTML page
 * lists in-flight requests in its per-slot table. (reference/apache-mpm.md §2.2–2.4, §8.1)
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, poolAuto, startPool, waitFor } from './helpers.js';

/** httpd 2.4.63+ `?auto` keys up to `Scoreboard:` for a non-async MPM; `?` marks conditional lines. */
const HTTPD_KEYS = [
  'ServerVersion',
  'ServerMPM',
  'Server Built',
  'CurrentTime',
  'RestartTime',
  'ParentServerConfigGeneration',
  'ParentServerMPMGeneration',
  'ServerUptimeSeconds',
  'ServerUptime',
  'Load1',
  'Load5',
  'Load15',
  'Total Accesses',
  'Total kBytes',
  'Total Duration',
  'CPUUser',
  'CPUSystem',
  'CPUChildrenUser',
  'CPUChildrenSystem',
  'CPULoad?',
  'Uptime',
  'ReqPerSec?',
  'BytesPerSec?',
  'BytesPerReq?',
  'DurationPerReq?',
  'BusyWorkers',
  'GracefulWorkers',
  'IdleWorkers',
  'Scoreboard',
];
const ASYNC_KEYS = ['Processes', 'Stopping', 'ConnsTotal', 'ConnsAsyncWaitIO', 'ConnsAsyncWriting', 'ConnsAsyncKeepAlive', 'ConnsAsyncClosing'];

interface AutoPage {
  serverName: string;
  keys: string[];
  values: Record<string, string>;
}

function parseAuto(body: string): AutoPage {
  assert.ok(body.endsWith('\n'), 'every line ends with a newline');
  const [serverName, ...lines] = body.slice(0, -1).split('\n');
  assert.ok(serverName && !serverName.includes(': '), `the first line is the bare server name, got ${JSON.stringify(serverName)}`);
  const keys: string[] = [];
  const values: Record<string, string> = {};
  for (const line of lines) {
    // httpd prints the uptime string right after the colon; it is empty in the first second.
    const m = /^([A-Za-z0-9 ]+): (\S.*)$/.exec(line) ?? /^(ServerUptime):()$/.exec(line);
    assert.ok(m, `not a "Key: value" line: ${JSON.stringify(line)}`);
    keys.push(m[1]!);
    values[m[1]!] = m[2]!;
  }
  if (values.ServerUptime === '') assert.equal(values.ServerUptimeSeconds, '0');
  return { serverName, keys, values };
}

/** Checks httpd's key order up to Scoreboard: required keys all present, conditional ones only in their place. */
function assertHttpdOrder(keys: string[]): void {
  const end = keys.indexOf('Scoreboard');
  assert.ok(end >= 0, 'a Scoreboard line');
  const head = keys.slice(0, end + 1);
  let k = 0;
  for (const spec of HTTPD_KEYS) {
    const optional = spec.endsWith('?');
    const name = optional ? spec.slice(0, -1) : spec;
    if (head[k] === name) k++;
    else assert.ok(optional, `expected "${name}" at line ${k + 2}, got "${head[k]}" (keys: ${head.join(' | ')})`);
  }
  assert.equal(k, head.length, `unexpected keys before Scoreboard: ${head.slice(k).join(', ')}`);
}

const letters = (s: string, c: string): number => [...s].filter((x) => x === c).length;

test('prefork: /server-status?auto has httpd’s layout, counts busy workers and accesses; the HTML lists in-flight requests', { timeout: 30_000 }, async () => {
  const { pool, port } = await startPool({
    mpm: 'prefork',
    directives: {
      StartServers: 5,
      MinSpareServers: 1,
      MaxSpareServers: 5,
      MaxRequestWorkers: 8,
      ServerLimit: 8,
    },
  });
  const d = pool.directives;
  assert.equal(d.MaxRequestWorkers, 8);
  assert.equal(d.StartServers, 5);

  // N requests in flight, each on its own child.
  const N = 3;
  const SLEEP = '/sleep?ms=5000';
  const sleeping = Array.from({ length: N }, () => get(port, SLEEP));
  await waitFor(`${N} slots in W`, () => pool.snapshot().workers.filter((row) => row[0]!.status === 'W').length === N, 4000);

  const auto = await get(port, '/server-status?auto');
  assert.equal(auto.status, 200);
  assert.equal(auto.headers['content-type'], 'text/plain; charset=ISO-8859-1');
  const page = parseAuto(auto.body);
  assert.equal(page.serverName, '127.0.0.1', 'the Host of the request, without its port');
  assertHttpdOrder(page.keys);
  for (const k of ASYNC_KEYS) assert.ok(!page.keys.includes(k), `prefork prints no ${k} line`);
  assert.equal(page.values.ServerMPM, 'prefork');
  assert.equal(page.values.ParentServerConfigGeneration, '1');
  assert.equal(page.values.ParentServerMPMGeneration, '0');

  // The status request is busy too: N + 1.
  assert.equal(page.values.BusyWorkers, String(N + 1));
  assert.equal(page.values.GracefulWorkers, '0');
  assert.equal(page.values.IdleWorkers, String(d.StartServers - (N + 1)));
  const board = page.values.Scoreboard!;
  assert.equal(board.length, d.MaxRequestWorkers, `one letter per MaxRequestWorkers slot: ${board}`);
  assert.equal(letters(board, 'W'), N + 1, `scoreboard ${board}`);
  assert.equal(letters(board, '_'), d.StartServers - (N + 1), `scoreboard ${board}`);
  assert.equal(letters(board, '.'), d.MaxRequestWorkers - d.StartServers, `scoreboard ${board}`);

  // The HTML page: its per-slot table has a row per in-flight /sleep, in W.
  const html = await get(port, '/server-status');
  assert.equal(html.status, 200);
  assert.equal(html.headers['content-type'], 'text/html; charset=ISO-8859-1');
  assert.match(html.body, /<th>Srv<\/th><th>PID<\/th><th>Acc<\/th><th>M<\/th>/);
  const rows = html.body.split('<tr>').filter((r) => r.includes(`<td nowrap>GET ${SLEEP} HTTP/1.1</td></tr>`));
  assert.equal(rows.length, N, `${N} rows for the /sleep requests`);
  for (const row of rows) assert.match(row, /<td><b>W<\/b>\n<\/td>/, `a /sleep row in W: ${row}`);
  assert.match(html.body, /<td><b>W<\/b>\n<\/td>[^]*?<td nowrap>GET \/server-status HTTP\/1\.1<\/td><\/tr>/, 'the status request’s own row');

  for (const r of await Promise.all(sleeping)) assert.equal(r.status, 200);

  // Total Accesses counts completed requests, whichever child served them.
  await waitFor('the /sleep requests counted', () => pool.snapshot().workers.every((row) => row[0]!.status !== 'W'), 4000);
  const before = Number(parseAuto((await get(port, '/server-status?auto')).body).values['Total Accesses']);
  for (let i = 0; i < 5; i++) assert.equal((await get(port, '/')).status, 200);
  // That status request and the 5 GETs, once the children's reports are in (every 100 ms).
  await waitFor('6 more accesses reported', () => Number(poolAuto(pool)['Total Accesses']) >= before + 6, 5000);
  const after = parseAuto((await get(port, '/server-status?auto')).body);
  const delta = Number(after.values['Total Accesses']) - before;
  assert.ok(delta >= 5, `Total Accesses went from ${before} by ${delta}`);
  assert.equal(delta, 6, 'the previous status request and the 5 GETs; a request is counted once it completes');
});
