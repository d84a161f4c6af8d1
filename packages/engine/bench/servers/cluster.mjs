/**
 * Anchor: Node's own `cluster` with N workers (argv[2], default 2) serving the demo app. The
 * primary accepts and hands connections round-robin to the workers (Linux default), the same
 * shape as a Forkyard primary, so it is the pool to beat.
 */

import cluster from 'node:cluster';
import http from 'node:http';
import { announce, fail, loadDemoApp, onStop, stopWorkers } from './control.mjs';

if (cluster.isPrimary) {
  const size = Math.max(1, Number(process.argv[2] ?? 2));
  const ports = new Set();
  let listening = 0;
  const stopping = onStop(() => stopWorkers(cluster));
  cluster.on('listening', (_worker, address) => {
    ports.add(address.port);
    if (++listening < size) return;
    if (ports.size !== 1) return fail(new Error(`cluster workers listen on different ports: ${[...ports].join(', ')}`));
    announce({ port: address.port, workers: size });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping()) fail(new Error(`cluster worker ${worker.process.pid} exited (code ${code}, signal ${signal})`));
  });
  for (let i = 0; i < size; i++) cluster.fork();
} else {
  try {
    const app = await loadDemoApp();
    // Port 0 in every worker: the primary creates one shared handle, so all get the same port.
    http.createServer(app).listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  }
}
