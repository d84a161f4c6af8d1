/**
 * The child's side of the fork IPC channel: typed sends, status requests with a timeout, and
 * exit when the primary goes away (the channel closes when the primary dies, even by SIGKILL).
 */

import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { Descriptor, drainConnections, receiveConnections } from '../ipc/conn-channel.js';
import type { ChildInit, ChildToPrimary, PrimaryToChild } from '../ipc/messages.js';
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

/** How often a child checks its parent is still the primary (the IPC channel's end comes first). */
const PARENT_CHECK_MS = 10_000;

/** Children never outlive their primary: the IPC channel closing means it is gone. */
export function exitWithPrimary(): void {
  process.on('disconnect', () => process.exit(0));
  // Belt and braces: notice re-parenting even if the channel's end went unnoticed.
  // process.ppid is read once at start-up, so the live parent comes from /proc (or, where there
  // is none, from whether the primary's pid still exists). Seldom: an idle child wakes for
  // little else.
  const ppid = process.ppid;
  setInterval(() => {
    if (currentParent(ppid) !== ppid) process.exit(0);
  }, PARENT_CHECK_MS).unref();
}

/** The live parent pid (exported for its test). */
export function currentParent(ppid: number): number {
  try {
    // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = readFileSync('/proc/self/stat', 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      process.kill(ppid, 0);
      return ppid;
    } catch {
      return -1;
    }
  }
}

/**
 * A connection as the primary sends it: a bare descriptor on the connection channel
 * (ipc/conn-channel.ts), or libuv's bare TCP handle on the fork channel. The child builds a
 * net.Socket around it only where it reads or writes the connection itself.
 */
export interface ConnHandle {
  readonly fd: number;
  close(cb?: () => void): void;
}

type FromPrimary = (msg: PrimaryToChild, handle: ConnHandle | undefined) => void;
let receiver: FromPrimary | null = null;
const early: Array<[PrimaryToChild, ConnHandle | undefined]> = [];

/**
 * Takes the primary's messages from the child's first moment. Node drops a message nobody
 * listens for, so one that comes while the child still starts (a stop while the application
 * loads) waits here for the child's handler instead of being lost.
 */
export function receiveFromPrimary(): void {
  const deliver = (msg: PrimaryToChild, handle?: ConnHandle): void => {
    if (receiver) receiver(msg, handle);
    else early.push([msg, handle]);
  };
  const channel = receiveConnections((id, conn) => deliver({ act: 'conn', id }, conn));
  process.on('message', (msg: PrimaryToChild, handle?: ConnHandle) => {
    // Connections the primary wrote before this message come first (a stop after them).
    if (channel) drainConnections();
    deliver(msg, handle);
  });
}

/**
 * The stream around a connection's handle, as Node's child_process builds one around a
 * net.Socket sent (it starts reading at once, like a socket accepted here).
 */
export function asSocket(handle: ConnHandle): Socket {
  if (handle instanceof Descriptor) return handle.toSocket();
  return new Socket({ handle, readable: true, writable: true } as ConstructorParameters<typeof Socket>[0]);
}

/** The child's handler of the primary's messages; those that came before it go first. */
export function onPrimaryMessage(fn: FromPrimary): void {
  receiver = fn;
  for (const [msg, handle] of early.splice(0)) fn(msg, handle);
}

/** A standby's init; whatever else comes first waits for the child's handler. */
export function nextInit(): Promise<ChildInit> {
  return new Promise((resolve) => {
    receiver = (msg, handle) => {
      if (msg.act !== 'init') return void early.push([msg, handle]);
      receiver = null;
      resolve(msg.init);
    };
  });
}
