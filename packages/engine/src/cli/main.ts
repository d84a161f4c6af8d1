/**
 * The `forkyard` command, like apachectl: `forkyard start` runs a pool in the foreground.
 * Bad start-up input exits 2 with a one-line message naming what to fix; nothing is left running.
 */

import { accessSync, constants as fsConstants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from '../primary/pool.js';
import { PoolConfigError } from '../primary/config.js';
import { parseStartArgs, START_HELP } from './args.js';

const HELP = `Usage: forkyard <verb> [options]

Verbs:
  start          run a pool in the foreground (see forkyard start --help)
  graceful       graceful restart of a running pool (SIGUSR1): a new generation, nothing dropped
  restart        hard restart (SIGHUP): children stop now, the scoreboard is zeroed
  graceful-stop  finish in-flight requests, then stop (SIGWINCH)
  stop           stop now (SIGTERM)
  (graceful, restart, graceful-stop, stop take --data-dir to find the pid file)
`;

function fail(message: string, code = 2): never {
  process.stderr.write(`forkyard: ${message}\n`);
  process.exit(code);
}

function stamp(): string {
  return new Date().toISOString();
}

async function start(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(START_HELP);
    return;
  }
  const opts = parseStartArgs(argv, (p) => readFileSync(p, 'utf8'));
  if ('error' in opts) fail(opts.error);
  let pool: Pool;
  try {
    pool = createPool(opts.pool);
  } catch (err) {
    if (err instanceof PoolConfigError) fail(err.errors.map((e) => e.message).join('; '));
    throw err;
  }
  for (const w of pool.config.warnings) process.stderr.write(`WARNING: ${w.id}: ${w.message}\n`);

  pool.on('log', (e) => process.stderr.write(`[${stamp()}] [mpm_${pool.mpm}:${e.level}] ${e.id}: ${e.message}\n`));
  // Until the pool is up, a child that fails is reported once, by the start-up error below.
  let started = false;
  pool.on('exit', (e) => {
    if (opts.verbose || (started && (e.reason === 'crashed' || e.reason === 'app-error'))) {
      const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
      process.stderr.write(`[${stamp()}] child ${e.pid} (slot ${e.slot}, gen ${e.generation}) exited: ${e.reason}, ${how}${e.error ? `: ${e.error}` : ''}\n`);
    }
  });
  if (opts.verbose) pool.on('spawn', (e) => process.stderr.write(`[${stamp()}] child ${e.pid} started in slot ${e.slot} (gen ${e.generation})\n`));

  try {
    mkdirSync(opts.dataDir, { recursive: true });
    accessSync(opts.dataDir, fsConstants.W_OK);
  } catch (err) {
    fail(`cannot use ${opts.dataDir} as the data directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a writable directory with --data-dir`);
  }

  // SIGTERM/SIGINT while children are still starting: stop them and exit 0, like after start-up.
  const early = { signal: null as string | null, forked: false };
  const earlyStop = (signal: NodeJS.Signals): void => {
    if (early.signal) return;
    early.signal = signal;
    process.stderr.write(`[${stamp()}] caught ${signal} during start-up, shutting down\n`);
    if (early.forked) void pool.stop();
  };
  pool.once('spawn', () => {
    early.forked = true;
    // Every start-up child is forked in the same turn: stop them all once they exist.
    if (early.signal) setImmediate(() => void pool.stop());
  });
  process.on('SIGTERM', earlyStop);
  process.on('SIGINT', earlyStop);

  let address;
  try {
    address = await pool.start();
  } catch (err) {
    if (early.signal) {
      await pool.stop();
      process.exit(0);
    }
    const e = err as NodeJS.ErrnoException;
    const { host, port } = pool.config.listen;
    if (e.code === 'EADDRINUSE') fail(`${host}:${port} is already in use: stop what listens there or choose another address with --listen`);
    if (e.code === 'EACCES') fail(`no permission to listen on ${host}:${port}: choose a port above 1023 with --listen`);
    if (e.code === 'EADDRNOTAVAIL') fail(`${host} is not an address of this machine: use --listen 127.0.0.1:${port}`);
    if (e.code === 'FY_APP_LOAD') fail(`the application failed to load: ${e.message}`);
    fail(e.message);
  }

  process.off('SIGTERM', earlyStop);
  process.off('SIGINT', earlyStop);
  if (early.signal) {
    await pool.stop();
    process.exit(0);
  }
  started = true;
  // Notes (deprecated spellings, directives this MPM ignores) once it runs: a start-up error
  // stays the only `forkyard:` line.
  for (const n of pool.config.notes) process.stderr.write(`forkyard: ${n}\n`);

  const pidFile = join(opts.dataDir, 'forkyard.pid');
  writeFileSync(pidFile, `${process.pid}\n`);

  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  const d = pool.directives;
  const app = pool.config.app ?? 'the demo app';
  process.stdout.write(
    `Forkyard ${pool.mpm} MPM serving ${app} on ${base}/\n` +
      `  status:  ${base}/server-status   (machine-readable: ${base}/server-status?auto)\n` +
      `  pool:    StartServers ${d.StartServers}, MaxRequestWorkers ${d.MaxRequestWorkers}` +
      (pool.mpm === 'prefork' ? `, spares ${d.MinSpareServers}-${d.MaxSpareServers}\n` : `, ThreadsPerChild ${d.ThreadsPerChild}, spare threads ${d.MinSpareThreads}-${d.MaxSpareThreads}\n`) +
      `  primary: pid ${process.pid} (pid file ${pidFile}); stop with Ctrl-C or SIGTERM\n`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[${stamp()}] caught ${signal}, shutting down\n`);
    pool.stop().then(() => {
      rmSync(pidFile, { force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // apachectl's signals: USR1 graceful restart, HUP restart, WINCH graceful stop.
  const change = (signal: string, what: string, run: () => Promise<unknown>): void => {
    process.stderr.write(`[${stamp()}] caught ${signal}, ${what}\n`);
    run().then(
      () => process.stderr.write(`[${stamp()}] ${what}: done, generation ${pool.generation}\n`),
      (err: Error & { code?: string }) => process.stderr.write(`[${stamp()}] ${what} failed: ${err.code ?? ''} ${err.message}\n`),
    );
  };
  process.on('SIGUSR1', () => change('SIGUSR1', 'graceful restart', () => pool.gracefulRestart()));
  process.on('SIGHUP', () => change('SIGHUP', 'restart', () => pool.restart()));
  process.on('SIGWINCH', () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[${stamp()}] caught SIGWINCH, shutting down gracefully\n`);
    rmSync(pidFile, { force: true });
    pool.gracefulStop().then(() => process.exit(0));
  });
  pool.on('generation', (e) => process.stderr.write(`[${stamp()}] generation ${e.generation} (${e.mpm}) started: ${e.reason}\n`));
}

/** `forkyard graceful | restart | graceful-stop | stop`: signal a running pool by its pid file. */
function signalVerb(verb: string, argv: string[]): void {
  const signals: Record<string, NodeJS.Signals> = { graceful: 'SIGUSR1', restart: 'SIGHUP', 'graceful-stop': 'SIGWINCH', stop: 'SIGTERM' };
  const i = argv.indexOf('--data-dir');
  const dataDir = i >= 0 && argv[i + 1] ? argv[i + 1]! : '.forkyard';
  const pidFile = join(dataDir, 'forkyard.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    fail(`no running pool: ${pidFile} does not exist (start one with: forkyard start, or pass --data-dir)`, 1);
  }
  try {
    process.kill(pid, signals[verb]!);
  } catch (err) {
    fail(`cannot signal pid ${pid} from ${pidFile}: ${(err as NodeJS.ErrnoException).code}; remove the stale pid file if the pool is gone`, 1);
  }
  process.stdout.write(`sent ${signals[verb]} to forkyard pid ${pid}\n`);
}

const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case 'start':
    await start(rest);
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
