/**
 * Entry file of every child process (given to `fork()`): reads its init from the environment
 * and runs the prefork child or the threaded listener.
 *
 * @see httpd server/mpm/{prefork,worker,event}/*.c child_main
 */

import type { ChildInit } from '../ipc/messages.js';
import { exitWithPrimary } from './channel.js';
import { preforkChildMain } from './prefork.js';
import { threadedChildMain } from './listener.js';

const init = JSON.parse(process.env.FORKYARD_CHILD ?? 'null') as ChildInit | null;
if (!init || !process.send) {
  process.stderr.write('forkyard: this file is started by the Forkyard primary, not by hand\n');
  process.exit(2);
}
exitWithPrimary();
process.title = `forkyard: child ${init.slot} (${init.mpm}, gen ${init.generation})`;
if (init.mpm === 'prefork') await preforkChildMain(init);
else await threadedChildMain(init);
