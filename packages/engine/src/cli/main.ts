/**
 * The `forkyard` command, like apachectl: `forkyard start` runs a pool in the foreground.
 * Bad start-up input exits 2 with a one-line message naming what to fix; nothing is left running.
 */

import { fail, signalVerb, startCommand } from './start.js';

const HELP = `Usage: forkyard <verb> [options]

Verbs:
  start          run a pool in the foreground (see forkyard start --help)
  graceful       graceful restart of a running pool (SIGUSR1): a new generation, nothing dropped
  restart        hard restart (SIGHUP): children stop now, the scoreboard is zeroed
  graceful-stop  finish in-flight requests, then stop (SIGWINCH)
  stop           stop now (SIGTERM)
  (graceful, restart, graceful-stop, stop take --data-dir to find the pid file)
`;

const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case 'start':
    await startCommand(rest);
    break;
  case 'graceful':
  case 'restart':
  case 'graceful-stop':
  case 'stop':
    signalVerb(verb, rest);
    break;
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(HELP);
    break;
  default:
    fail(`unknown verb "${verb}": use start, graceful, restart, graceful-stop or stop (see forkyard --help)`);
}
