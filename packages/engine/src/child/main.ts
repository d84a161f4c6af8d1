/**
 * Entry file of every child process (given to `fork()`): reads its init from the environment
 * and runs the prefork child or the threaded listener.
 *
 * A standby (FORKYARD_STANDBY) is forked before it is needed: it boots Node, loads the engine
 * and, for worker/event, starts its threads, then waits for its init over IPC. The pool takes
 * it when it needs a child, so a new child's start-up costs the application's load, not Node's.
 *
 * @see httpd server/mpm/{prefork,worker,event}/*.c child_main
 */

import type { Worker } from 'node:worker_threads';
import type { ChildInit, StandbyKind } from '../ipc/messages.js';
import { exitWithPrimary, nextInit, receiveFromPrimary, send } from './channel.js';
import { preforkChildMain } from './prefork.js';
import { prestartThreads, threadedChildMain } from './listener.js';

const standby = JSON.parse(process.env.FORKYARD_STANDBY ?? 'null') as StandbyKind | null;
let init = JSON.parse(process.env.FORKYARD_CHILD ?? 'null') as ChildInit | null;
if ((!init && !standby) || !process.send) {
  process.stderr.write('forkyard: this file is started by the Forkyard primary, not by hand\n');
  process.exit(2);
}
receiveFromPrimary();
exitWithPrimary();
let prestarted: Worker[] = [];
if (standby) {
  process.title = `forkyard: standby (${standby.mpm})`;
  prestarted = standby.mpm === 'prefork' ? [] : prestartThreads(standby.threads);
  const taken = nextInit();
  send({ act: 'listening' });
  init = await taken;
} else send({ act: 'listening' });
const child = init!;
// As a cold-forked child has it (the application may read it); a standby learns it late.
process.env.FORKYARD_CHILD ??= JSON.stringify(child);
process.title = `forkyard: child ${child.slot} (${child.mpm}, gen ${child.generation})`;
if (child.mpm === 'prefork') {
  for (const w of prestarted) void w.terminate();
  await preforkChildMain(child);
} else await threadedChildMain(child, prestarted);
