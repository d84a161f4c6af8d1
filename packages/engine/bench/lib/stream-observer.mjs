/**
 * A stream observer: one client of the control plane's `/api/v1/stream`, as a dashboard tab
 * is. ws's client with its defaults (it offers permessage-deflate, as browsers do), every frame
 * read and parsed with JSON.parse, counted by type, in text bytes and in bytes that crossed its
 * TCP socket (after any compression, WebSocket framing included).
 *
 * ws comes from @forkyard/client, the package that uses it as the stream's Node client.
 */

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 2000;

let wsModule = null;

async function webSocketClass() {
  if (!wsModule) {
    const require = createRequire(new URL('../../../client/package.json', import.meta.url));
    wsModule = await import(pathToFileURL(require.resolve('ws')).href);
  }
  return wsModule.default ?? wsModule.WebSocket;
}

/** Resolves once the first snapshot has arrived, with the observer. */
export async function openObserver(port) {
  const WebSocket = await webSocketClass();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`);
  const obs = {
    /** Frames by `type`; `binary` counts binary frames, which are not JSON and not parsed. */
    frames: { snapshot: 0, delta: 0, event: 0, error: 0, other: 0, binary: 0 },
    textBytes: 0,
    parseErrors: 0,
    /** Text length of the first full snapshot. */
    snapshotBytes: 0,
    /** Close code if the server closed it before we did. */
    closedEarly: null,
    /** The negotiated extensions (`permessage-deflate` or nothing). */
    get extensions() {
      return ws.extensions;
    },
    /** Bytes read from the TCP socket so far, HTTP upgrade response included. */
    get wireBytes() {
      return ws._socket?.bytesRead ?? 0;
    },
    /** What has been received so far, to subtract two of them over a window. */
    mark() {
      const n = Object.values(obs.frames).reduce((a, b) => a + b, 0);
      return { at: performance.now(), wire: obs.wireBytes, text: obs.textBytes, frames: n, deltas: obs.frames.delta };
    },
    close() {
      return new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS);
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        closing = true;
        ws.close(1000, 'done');
      });
    },
  };
  let closing = false;
  let gotSnapshot;
  const first = new Promise((resolve) => (gotSnapshot = resolve));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      obs.frames.binary++;
      return;
    }
    const text = data.toString('utf8');
    obs.textBytes += data.length;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      obs.parseErrors++;
      return;
    }
    const type = frame?.type in obs.frames && frame.type !== 'binary' ? frame.type : 'other';
    obs.frames[type]++;
    if (type === 'snapshot' && obs.snapshotBytes === 0) {
      obs.snapshotBytes = data.length;
      gotSnapshot();
    }
  });
  ws.on('close', (code) => {
    if (!closing) obs.closedEarly = code;
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the stream sent no snapshot within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`stream: ${err.message}`));
    });
    first.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  ws.on('error', () => undefined);
  return obs;
}
