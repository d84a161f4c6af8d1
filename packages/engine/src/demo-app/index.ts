/**
 * The built-in demo application, served when no app is given, so a fresh pool answers at once
 * and every MPM behaviour can be shown: `/` hello, `/sleep?ms=` (holds the slot without CPU),
 * `/cpu?ms=` (busy loop: holds a core), `/bytes?n=`, `/status?code=`, `POST /echo`, and
 * `/pid` (which process and thread answered: `pid threadId`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { threadId } from 'node:worker_threads';

const MAX_SLEEP_MS = 600_000;
const MAX_CPU_MS = 60_000;
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_ECHO_BYTES = 16 * 1024 * 1024;
const FILL = Buffer.alloc(64 * 1024, 'x');

function intParam(url: URL, name: string, fallback: number, max: number): number | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) return null;
  return Math.min(Number(raw), max);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function busyLoop(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
}

export default function demoApp(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  switch (url.pathname) {
    case '/':
      return text(res, 200, 'Hello from Forkyard\n');
    case '/pid':
      return text(res, 200, `${process.pid} ${threadId}\n`);
    case '/sleep': {
      const ms = intParam(url, 'ms', 1000, MAX_SLEEP_MS);
      if (ms === null) return text(res, 400, 'ms must be a whole number of milliseconds\n');
      setTimeout(() => text(res, 200, `slept ${ms} ms\n`), ms);
      return;
    }
    case '/cpu': {
      const ms = intParam(url, 'ms', 10, MAX_CPU_MS);
      if (ms === null) return text(res, 400, 'ms must be a whole number of milliseconds\n');
      const loops = busyLoop(ms);
      return text(res, 200, `burned ${ms} ms (${loops} loops)\n`);
    }
    case '/bytes': {
      const n = intParam(url, 'n', 1024, MAX_BYTES);
      if (n === null) return text(res, 400, 'n must be a whole number of bytes\n');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
      let left = n;
      const pump = (): void => {
        while (left > 0) {
          const chunk = FILL.subarray(0, Math.min(left, FILL.length));
          left -= chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    case '/status': {
      const code = intParam(url, 'code', 200, 999);
      if (code === null || code < 100 || code > 599) return text(res, 400, 'code must be an HTTP status between 100 and 599\n');
      return text(res, code, `status ${code}\n`);
    }
    case '/echo': {
      if (req.method !== 'POST') return text(res, 405, 'POST a body to /echo\n');
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ECHO_BYTES) {
          text(res, 413, 'body too large\n');
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      });
      return;
    }
    default:
      return text(res, 404, 'Not Found\n');
  }
}
