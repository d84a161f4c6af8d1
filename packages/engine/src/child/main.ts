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

import type { ChildInit, StandbyKind } from '../ipc/messages.js';
import { exitWithPrimary, nextInit, receiveFromPrimary, send } from './channel.js';
import { preforkChildMain } from './prefork.js';
import { prestartThreads, threadedChildMain } from './listener.js';

const standby = JSON.parse(process.env.FORKYARD_STANDBY ?? 'null') as StandbyKind | null;
const given = JSON.parse(process.env.FORKYARD_CHILD ?? 'null') as ChildInit | null;
if ((!given && !standby) || !process.send) {
  process.stderr.write('forkyard: this file is started by the Forkyard primary, not by hand\n');
  process.exit(2);
}
receiveFromPrimary();
exitWithPrimary();
if (standby) process.title = `forkyard: standby (${standby.mpm})`;
// A standby is only ever made into a child of its own kind (primary/standby.ts).
const prestarted = standby && standby.mpm !== 'prefork' ? prestartThreads(standby.threads) : [];
const taken = standby ? nextInit() : null;
send({ act: 'listening' });
const init = given ?? (await taken!);
// As a cold-forked child has it (the application may read it); a standby learns it late.
process.env.FORKYARD_CHILD ??= JSON.stringify(init);
process.title = `forkyard: child ${init.slot} (${init.mpm}, gen ${init.generation})`;
if (init.mpm === 'prefork') await preforkChildMain(init);
else await threadedChildMain(init, prestarted);
