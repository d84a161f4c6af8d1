/**
 * `forkyard start`: runs a pool in the foreground, like `httpd -DFOREGROUND`, and the signal
 * verbs that drive it through its pid file, like apachectl. Bad start-up input exits 2 with a
 * one-line message naming what to fix; nothing is left running.
 *
 * Other commands (the control plane's `forkyard`) reuse it through hooks: they run at fixed
 * points of start-up, and one that throws stops start-up like bad input does.
 */

import { accessSync, constants as fsConstants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from '../primary/pool.js';
import { PoolConfigError } from '../primary/config.js';
import { parseStartArgs, START_HELP, type StartOptions } from './args.js';

export type { StartOptions };

export interface StartHooks {
  /** Appended to `forkyard start --help`. */
  extraHelp?: string;
  /** After the arguments are parsed, before the pool is created: may change `opts.pool`. */
  beforeStart?(opts: StartOptions): Promise<void> | void;
  /** After the pool is created and the data directory checked, before any child is forked. */
  poolCreated?(pool: Pool, opts: StartOptions): Promise<void> | void;
  /** Once the pool serves and its banner is printed. */
  afterStart?(pool: Pool, opts: StartOptions): Promise<void> | void;
  /** After the pool has stopped (or failed to start), before the process exits. */
  onStop?(): Promise<void> | void;
}

export function fail(message: string, code = 2): never {
  process.stderr.write(`forkyard: ${message}\n`);
  process.exit(code);
}

function stamp(): string {
  return new Date().toISOString();
}

/** Runs a hook; an error it throws ends start-up with exit 2 and its message. */
async function runHook(hook: () => Promise<void> | void): Promise<void> {
  try {
    await hook();
  } catch (err) {
    fail((err as Error).message);
  }
}

export async function startCommand(argv: string[], hooks: StartHooks = {}): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(START_HELP + (hooks.extraHelp ?? ''));
    return;
  }
  const opts = parseStartArgs(argv, (p) => readFileSync(p, 'utf8'));
  if ('error' in opts) fail(opts.error);
  await runHook(() => hooks.beforeStart?.(opts));
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

  await runHook(() => hooks.poolCreated?.(pool, opts));

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
      await hooks.onStop?.();
      process.exit(0);
    }
    await hooks.onStop?.();
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
    await hooks.onStop?.();
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
    pool.stop().then(async () => {
      rmSync(pidFile, { force: true });
      await hooks.onStop?.();
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
    pool.gracefulStop().then(async () => {
      await hooks.onStop?.();
      process.exit(0);
    });
  });
  pool.on('generation', (e) => process.stderr.write(`[${stamp()}] generation ${e.generation} (${e.mpm}) started: ${e.reason}\n`));
  try {
    await hooks.afterStart?.(pool, opts);
  } catch (err) {
    await pool.stop();
    rmSync(pidFile, { force: true });
    await hooks.onStop?.();
    fail((err as Error).message);
  }
}

/** `forkyard graceful | restart | graceful-stop | stop`: signal a running pool by its pid file. */
export function signalVerb(verb: string, argv: string[]): void {
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
