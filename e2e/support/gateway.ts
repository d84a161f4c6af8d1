/**
 * A transparent HTTP gateway in front of the control plane, so a test can cut the dashboard's
 * live connection the way a network does (`POST /__e2e/drop-streams` destroys every proxied
 * WebSocket; `POST /__e2e/block-streams?ms=N` refuses new ones for N ms). Everything else is passed through unchanged, Host header included, so the
 * control plane's Origin check sees the page's own origin. When the control plane does not
 * serve the dashboard at `/`, the gateway serves the built dashboard itself.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Gateway {
  server: Server;
  port: number;
  close(): Promise<void>;
}

function isProxied(url: string, controlServesUi: boolean): boolean {
  if (controlServesUi) return true;
  return url.startsWith('/api/') || url.startsWith('/server-status') || url.startsWith('/metrics');
}

function serveFile(distDir: string, req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(distDir, path));
  if (!file.startsWith(distDir) || !existsSync(file) || statSync(file).isDirectory()) file = join(distDir, 'index.html');
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

export async function startGateway(controlPort: number, distDir: string, controlServesUi: boolean): Promise<Gateway> {
  const streams = new Set<Socket>();
  let blockedUntil = 0;
  const server = createServer((req, res) => {
    const block = /^\/__e2e\/block-streams\?ms=(\d+)$/.exec(req.url ?? '');
    if (req.method === 'POST' && block) {
      blockedUntil = Date.now() + Number(block[1]);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/__e2e/drop-streams') {
      const n = streams.size;
      for (const s of streams) s.destroy();
      streams.clear();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ dropped: n }));
      return;
    }
    if (!isProxied(req.url ?? '/', controlServesUi)) {
      serveFile(distDir, req, res);
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: controlPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('upgrade', (req, client: Socket, head) => {
    if (Date.now() < blockedUntil) {
      client.destroy();
      return;
    }
    const up = connect(controlPort, '127.0.0.1', () => {
      let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(`${text}\r\n`);
      if (head.length) up.write(head);
      up.pipe(client).pipe(up);
    });
    streams.add(client);
    const done = () => {
      streams.delete(client);
      client.destroy();
      up.destroy();
    };
    client.on('close', done);
    client.on('error', done);
    up.on('close', done);
    up.on('error', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
