/**
 * Anchor: one plain `node:http` process serving the demo app, the baseline any pool is
 * measured against.
 */

import http from 'node:http';
import { announce, fail, loadDemoApp, onStop } from './control.mjs';

try {
  const app = await loadDemoApp();
  const server = http.createServer(app);
  onStop(() => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  server.listen({ host: '127.0.0.1', port: 0 }, () => announce({ port: server.address().port }));
} catch (err) {
  fail(err);
}
