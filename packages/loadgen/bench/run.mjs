#!/usr/bin/env node
// How much load the runner itself can generate on this machine: the hello scenario against a
// plain node:http server in this process, closed loop then open loop, figures printed as a
// table. Run after `pnpm --filter @forkyard/loadgen build` (it loads dist/).
//   node bench/run.mjs [seconds]   (default 5)
import http from 'node:http';
import { startLoadTest } from '../dist/index.js';

const seconds = Number(process.argv[2] ?? 5);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 6 });
  res.end('hello\n');
});
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const target = `http://127.0.0.1:${server.address().port}`;

const specs = [
  { scenario: 'hello', mode: 'closed', connections: 32, durationSeconds: seconds },
  { scenario: 'hello', mode: 'open', rate: 5_000, connections: 64, durationSeconds: seconds },
  { scenario: 'connection-per-request', mode: 'closed', connections: 16, durationSeconds: seconds },
];
const rows = [];
for (const spec of specs) {
  const { summary } = await startLoadTest(spec, { target }).done;
  const l = summary.latencyMs;
  rows.push({
    scenario: spec.scenario,
    mode: spec.mode,
    load: spec.mode === 'open' ? `${spec.rate}/s` : `${spec.connections} conns`,
    'req/s': summary.throughput,
    p50: l?.p50,
    p99: l?.p99,
    max: l?.max,
    errors: summary.errors,
  });
}
console.table(rows);
server.closeAllConnections();
server.close();
