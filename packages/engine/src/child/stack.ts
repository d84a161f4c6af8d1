/**
 * The JavaScript stack of a thread stuck in a handler, taken from the child's main thread
 * through the inspector: attach to the worker, pause it, read the paused call frames. Used
 * before a RequestTimeLimit kill, so the operator sees where the handler was stuck.
 */

import { Session } from 'node:inspector';

interface CallFrame {
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

let session: Session | null = null;
const workerSessions = new Map<string, string>();
const waiting = new Map<string, (frames: CallFrame[]) => void>();
/** Script URLs by id, per worker session (call frames carry only the script id). */
const scripts = new Map<string, Map<string, string>>();

function ensureSession(): Session {
  if (session) return session;
  const s = new Session();
  s.connect();
  s.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { workerId: string; title: string } } }) => {
    // workerId is the inspector's own target number, not the thread's id: that is in the title.
    const threadId = threadIdOf(m.params.workerInfo.title);
    if (threadId !== null) workerSessions.set(threadId, m.params.sessionId);
  });
  s.on('NodeWorker.receivedMessageFromWorker', (m: { params: { sessionId: string; message: string } }) => {
    const msg = JSON.parse(m.params.message) as { method?: string; params?: { callFrames?: CallFrame[]; scriptId?: string; url?: string } };
    if (msg.method === 'Debugger.scriptParsed' && msg.params?.scriptId && msg.params.url) {
      let urls = scripts.get(m.params.sessionId);
      if (!urls) scripts.set(m.params.sessionId, (urls = new Map()));
      urls.set(msg.params.scriptId, msg.params.url);
      return;
    }
    if (msg.method !== 'Debugger.paused') return;
    const done = waiting.get(m.params.sessionId);
    if (done) {
      waiting.delete(m.params.sessionId);
      const urls = scripts.get(m.params.sessionId);
      done((msg.params?.callFrames ?? []).map((f) => ({ ...f, url: f.url || urls?.get(f.location.scriptId) || '' })));
    }
  });
  s.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  session = s;
  return s;
}

/**
 * The thread id in an inspector worker target's title, `[worker <threadId>] <name>` (Node's
 * WorkerInfo). The target's workerId counts targets instead, and matches the thread id only
 * while no thread has ended or been made out of order (a standby's threads, a replaced thread).
 */
export function threadIdOf(title: string): string | null {
  return /^\[worker (\d+)\]/.exec(title)?.[1] ?? null;
}

export function formatFrames(frames: readonly CallFrame[]): string {
  return frames
    .map((f) => `    at ${f.functionName || '<anonymous>'} (${f.url || '<unknown>'}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1})`)
    .join('\n');
}

/** Resolves with the thread's stack, or with a note saying why there is none, within `timeoutMs`. */
export function captureThreadStack(threadId: number, timeoutMs = 1000): Promise<string> {
  const s = ensureSession();
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const attempt = (): void => {
      const sessionId = workerSessions.get(String(threadId));
      if (!sessionId) {
        if (Date.now() > deadline) return resolve('(stack unavailable: the inspector did not attach to the thread in time)');
        setTimeout(attempt, 10);
        return;
      }
      const timer = setTimeout(() => {
        waiting.delete(sessionId);
        resolve('(stack unavailable: the thread did not pause in time)');
      }, Math.max(50, deadline - Date.now()));
      const send = (id: number, method: string): void =>
        s.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
      waiting.set(sessionId, (frames) => {
        clearTimeout(timer);
        // A thread left paused in the debugger cannot be terminated cleanly: let it run again
        // (it is stopped right after) and let go of it.
        send(3, 'Debugger.resume');
        s.post('NodeWorker.detach', { sessionId });
        workerSessions.delete(String(threadId));
        resolve(formatFrames(frames));
      });
      send(1, 'Debugger.enable');
      send(2, 'Debugger.pause');
    };
    attempt();
  });
}
