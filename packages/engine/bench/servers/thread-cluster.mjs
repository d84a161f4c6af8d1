/**
 * Reference: Node's `cluster` with N workers (argv[2], default 2), each serving the demo app
 * from one worker_thread instead of its main thread. The worker's main thread takes each
 * connection from the primary (round-robin, as cluster.mjs), leaves it unread, hands the
 * thread a descriptor of it (dup(2), the engine's native/fd.node) and closes its own; the
 * thread's http.Server serves it as a net.Socket. That is how a Forkyard event child feeds its
 * threads, with none of the pool around it: no scoreboard slot, no httpd timers, no parking or
 * dispatch.
 */

import cluster from 'node:cluster';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { announce, fail, loadDemoApp, onStop, stopWorkers } from './control.mjs';

if (isMainThread && cluster.isPrimary) {
  const size = Math.max(1, Number(process.argv[2] ?? 2));
  let listening = 0;
  const stopping = onStop(() => stopWorkers(cluster));
  cluster.on('listening', (_worker, address) => {
    if (++listening === size) announce({ port: address.port, workers: size, threadsPerWorker: 1 });
  });
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping()) fail(new Error(`cluster worker ${worker.process.pid} exited (code ${code}, signal ${signal})`));
  });
  for (let i = 0; i < size; i++) cluster.fork();
} else if (isMainThread) {
  try {
    const { dup } = createRequire(import.meta.url)('../../native/fd.node');
    const thread = new Worker(new URL(import.meta.url));
    thread.once('error', (err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exit(1);
    });
    await new Promise((resolve) => thread.once('online', resolve));
    // pauseOnConnect: the socket is handed over before this thread reads a byte of it.
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      const fd = dup(socket._handle.fd);
      // The thread's descriptor keeps the connection open: closing this one sends nothing.
      socket.destroy();
      thread.postMessage(fd);
    });
    server.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  }
} else {
  const app = await loadDemoApp();
  const server = http.createServer(app);
  parentPort.on('message', (fd) => server.emit('connection', new net.Socket({ fd, readable: true, writable: true })));
}
