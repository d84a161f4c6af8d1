/**
 * Entry file of a prefork child's watchdog thread. The application runs on the child's main
 * thread, which a stuck handler never gives back; this thread watches the slot buffer and, past
 * RequestTimeLimit, pauses the main thread through the inspector, reads its stack, and runs the
 * child's own stop routine on it (answer 503, report the forensics, exit). If that does not end
 * the process within a second, it kills it.
 *
 * The debugger must be enabled on the main thread before it gets stuck, so it is at start-up.
 */

import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { SlotReader } from '../scoreboard/slot-buffer.js';

interface WatchdogInit {
  sab: SharedArrayBuffer;
  limitSeconds: number;
  /** The global (Symbol.for key) of the main thread's stop routine. */
  hook: string;
}

interface CallFrame {
  callFrameId: string;
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

const init = workerData as WatchdogInit;
let limitMs = init.limitSeconds * 1000;
parentPort!.on('message', (seconds: number) => (limitMs = seconds * 1000));

const reader = new SlotReader(init.sab);
const session = new Session();
session.connectToMainThread();
/** Script URLs by id (call frames carry only the script id). */
const scripts = new Map<string, string>();
session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => {
  if (m.params.url) scripts.set(m.params.scriptId, m.params.url);
});
session.post('Debugger.enable');
let firing = false;

session.on('Debugger.paused', (m: { params: { callFrames: CallFrame[] } }) => {
  const frames = m.params.callFrames;
  const stack = frames
    .map((f) => `    at ${f.functionName || '<anonymous>'} (${f.url || scripts.get(f.location.scriptId) || '<unknown>'}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1})`)
    .join('\n');
  const top = frames[0];
  const expression = `globalThis[Symbol.for(${JSON.stringify(init.hook)})]?.(${JSON.stringify(stack)})`;
  if (top) session.post('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrameId, expression });
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1000);
});

setInterval(() => {
  if (limitMs <= 0 || firing || reader.status(0) !== 'W') return;
  const rec = reader.read(0);
  if (rec.startTime > 0 && Date.now() - rec.startTime > limitMs) {
    firing = true;
    session.post('Debugger.pause');
  }
}, 200);
