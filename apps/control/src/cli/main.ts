#!/usr/bin/env node
/**
 * The `forkyard` command: the engine's `forkyard start` plus the control plane, the
 * apachectl-style signal verbs, and the verbs that talk to a running control plane over HTTP
 * (status, mpm, set, loadtest; @forkyard/client's runClientVerb). The control plane listens before any child is forked, so a bad
 * `--control` or a control port in use stops start-up (exit 2, one line) with nothing running.
 */

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_HELP, runClientVerb } from '@forkyard/client/cli';
import { fail, signalVerb, startCommand } from '@forkyard/engine/cli';
import { listenControlPlane, type ControlPlane } from '../main.js';
import { withStored } from '../store/restore.js';
import { openStore, type ControlStore } from '../store/store.js';
import { loadOrCreateTokens } from '../store/tokens.js';
import { CONTROL_HELP, extractControlArgs } from './control-args.js';

const HELP = `Usage: forkyard <verb> [options]

Verbs:
  start          run a pool and its control plane in the foreground (see forkyard start --help)
  graceful       graceful restart of a running pool (SIGUSR1): a new generation, nothing dropped
  restart        hard restart (SIGHUP): children stop now, the scoreboard is zeroed
  graceful-stop  finish in-flight requests, then stop (SIGWINCH)
  stop           stop now (SIGTERM)
  (graceful, restart, graceful-stop, stop take --data-dir to find the pid file; restart and
   stop with --url go to a control plane over HTTP instead)

${CLIENT_HELP}`;

function listenError(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `control plane: ${host}:${port} is already in use: stop what listens there, or choose another address with --control (or --control off)`;
    case 'EACCES':
      return `control plane: no permission to listen on ${host}:${port}: choose a port above 1023 with --control`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `control plane: ${host} is not an address of this machine: use --control 127.0.0.1:${port}`;
    default:
      return `control plane: cannot listen on ${host}:${port}: ${err.message}`;
  }
}

async function start(argv: string[]): Promise<void> {
  const args = extractControlArgs(argv);
  if ('error' in args) fail(args.error);
  const { control, openRead, loadTestAllow } = args;
  let store: ControlStore | null = null;
  let plane: ControlPlane | null = null;
  let tokensNote = '';

  const cleanup = async (): Promise<void> => {
    const p = plane;
    plane = null;
    await p?.close().catch(() => undefined);
    store?.close();
    store = null;
  };

  await startCommand(args.rest, {
    extraHelp: CONTROL_HELP,
    beforeStart(opts) {
      if (control === null) return;
      try {
        store = openStore(opts.dataDir);
      } catch (err) {
        throw new Error(`cannot open the store in ${opts.dataDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a writable directory with --data-dir`, { cause: err });
      }
      // What the API applied last time, under whatever the command line says now.
      opts.pool = withStored(opts.pool, store.loadConfig(), (message) => process.stderr.write(`forkyard: ${message}\n`));
    },
    async poolCreated(pool, opts) {
      if (control === null || store === null) return;
      const { tokens, created, file } = loadOrCreateTokens(opts.dataDir);
      try {
        plane = await listenControlPlane({ pool, store, tokens, openRead, loadTests: { allowList: loadTestAllow }, host: control.host, port: control.port });
      } catch (err) {
        await cleanup();
        // Never printed: the next start that works makes and prints new ones.
        if (created) rmSync(file, { force: true });
        throw new Error(listenError(err as NodeJS.ErrnoException, control.host, control.port), { cause: err });
      }
      const byName = (name: string): string => tokens.find((t) => t.name === name)?.token ?? '';
      tokensNote = created
        ? `  tokens:  operator ${byName('operator')}\n           viewer   ${byName('viewer')}\n           (kept in ${file}; shown only this once)\n`
        : `  tokens:  in ${file}${process.env.FORKYARD_TOKEN ? ' (and FORKYARD_TOKEN)' : ''}\n`;
    },
    afterStart(pool, opts) {
      if (plane === null) {
        process.stdout.write('  control: off\n');
        return;
      }
      const url = plane.url;
      process.stdout.write(
        `  dashboard: ${url}/\n` +
          `  control: ${url}/api/v1   (status ${url}/server-status, metrics ${url}/metrics, stream ${url.replace(/^http/, 'ws')}/api/v1/stream)\n` +
          (openRead ? '           reads are open to loopback clients (--open-read)\n' : '') +
          tokensNote,
      );
      // A graceful stop through the API: the pool is gone, so is the process.
      plane.app.forkyardEvents.once('stopped', () => {
        rmSync(join(opts.dataDir, 'forkyard.pid'), { force: true });
        void cleanup().then(() => process.exit(0));
      });
      void pool;
    },
    onStop: cleanup,
  });
}

const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case 'start':
    await start(rest);
    break;
  case 'restart':
  case 'stop':
    // With --url the verb goes to a control plane over HTTP; without, to the pid file's primary.
    if (rest.some((a) => a === '--url' || a.startsWith('--url='))) process.exitCode = await runClientVerb(verb, rest);
    else signalVerb(verb, rest);
    break;
  case 'graceful':
  case 'graceful-stop':
    signalVerb(verb, rest);
    break;
  case 'status':
  case 'mpm':
  case 'set':
  case 'loadtest':
    process.exitCode = await runClientVerb(verb, rest);
    break;
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(HELP);
    break;
  default:
    fail(`unknown verb "${verb}": use start, graceful, restart, graceful-stop, stop, status, mpm, set or loadtest (see forkyard --help)`);
}
