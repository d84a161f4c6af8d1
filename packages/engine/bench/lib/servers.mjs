/**
 * The runner's side of the server processes: fork a contender's entry file, wait until it
 * listens, talk to it (info, graceful restart, spawn events) and stop it. Every process
 * started here is tracked, so `stopAll()` can leave nothing behind (end of run, Ctrl-C).
 */

import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';

const START_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 30_000;
const STOP_KILL_AFTER_MS = 12_000;

const live = new Set();

function entry(name) {
  return fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url));
}

class ServerProcess extends EventEmitter {
  #seq = 0;
  #waits = new Map();

  constructor(label, proc) {
    super();
    this.label = label;
    this.proc = proc;
    this.pid = proc.pid;
    this.port = 0;
    this.details = {};
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    proc.on('message', (msg) => {
      if (msg?.t === 'spawn') this.emit('spawn', msg);
      if (msg?.t === 'reply') {
        const w = this.#waits.get(msg.seq);
        this.#waits.delete(msg.seq);
        if (!w) return;
        if (msg.error) w.reject(new Error(msg.error));
        else w.resolve(msg);
      }
    });
    proc.once('exit', () => {
      live.delete(this);
      for (const w of this.#waits.values()) w.reject(new Error(`${label} exited`));
      this.#waits.clear();
    });
  }

  /** A request to the server process (forkyard only: `info`, `graceful-restart`). */
  request(t) {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waits.delete(seq);
        reject(new Error(`${this.label}: no reply to ${t} within ${REPLY_TIMEOUT_MS / 1000} s`));
      }, REPLY_TIMEOUT_MS);
      this.#waits.set(seq, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.send({ t, seq });
    });
  }

  /** Asks the process to stop (it stops its own children), then kills it if it lingers. */
  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send({ t: 'stop' }, undefined, undefined, () => undefined);
    else this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), STOP_KILL_AFTER_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts `servers/<name>.mjs` with `args`; resolves once it listens on 127.0.0.1.
 * execArgv is empty so a runner started with flags (e.g. --cpu-prof) does not pass them on;
 * `execArgv` here is what the server process itself gets.
 */
export function startServer(label, name, args = [], { execArgv = [] } = {}) {
  const proc = fork(entry(name), args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const server = new ServerProcess(label, proc);
  live.add(server);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${label} did not listen within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const onMessage = (msg) => {
      if (msg?.t === 'listening') {
        const { t: _t, port, ...details } = msg;
        server.port = port;
        server.details = details;
        done();
      } else if (msg?.t === 'error') done(new Error(`${label} failed to start: ${msg.message}`));
    };
    const onExit = (code, signal) => done(new Error(`${label} exited before listening (code ${code}, signal ${signal})`));
    const done = (err) => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      if (!err) return resolve(server);
      server.stop().finally(() => reject(err));
    };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

/** Stops every server process still running. */
export async function stopAll() {
  await Promise.all([...live].map((s) => s.stop()));
}

export function liveCount() {
  return live.size;
}
