/**
 * The child's side of the fork IPC channel: typed sends, status requests with a timeout, and
 * exit when the primary goes away (the channel closes when the primary dies, even by SIGKILL).
 */

import type { ChildToPrimary, PrimaryToChild } from '../ipc/messages.js';
import type { StatusPage } from '../http/serve.js';

const STATUS_TIMEOUT_MS = 5000;

let seq = 0;
let flushBeforeStatus: (() => void) | null = null;

/** The reporter's flush: run before a status request so the page shows this very request (W). */
export function setStatusFlush(fn: () => void): void {
  flushBeforeStatus = fn;
}
const pending = new Map<number, { resolve: (p: StatusPage) => void; timer: NodeJS.Timeout }>();

export function send(msg: ChildToPrimary, cb?: () => void): void {
  if (!process.connected || !process.send) return;
  process.send(msg, undefined, undefined, cb ? () => cb() : undefined);
}

export function requestStatus(query: string, host: string, localAddress: string): Promise<StatusPage> {
  return new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not answer in time'));
    }, STATUS_TIMEOUT_MS);
    pending.set(id, { resolve, timer });
    flushBeforeStatus?.();
    send({ act: 'status-request', seq: id, query, host, localAddress });
  });
}

export function onStatusReply(msg: Extract<PrimaryToChild, { act: 'status-reply' }>): void {
  const p = pending.get(msg.seq);
  if (!p) return;
  pending.delete(msg.seq);
  clearTimeout(p.timer);
  p.resolve({ status: msg.status, contentType: msg.contentType, body: msg.body, ...(msg.refresh ? { refresh: msg.refresh } : {}) });
}

/** Children never outlive their primary: the IPC channel closing means it is gone. */
export function exitWithPrimary(): void {
  process.on('disconnect', () => process.exit(0));
  // Belt and braces: if the channel somehow stays open, notice re-parenting.
  const ppid = process.ppid;
  setInterval(() => {
    if (process.ppid !== ppid) process.exit(0);
  }, 500).unref();
}
