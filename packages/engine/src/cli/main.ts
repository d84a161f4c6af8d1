/**
 * The `forkyard` command, like apachectl: `forkyard start` runs a pool in the foreground.
 * Bad start-up input exits 2 with a one-line message naming what to fix; nothing is left running.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, type Pool } from '../primary/pool.js';
import { PoolConfigError } from '../primary/config.js';
import { parseStartArgs, START_HELP } from './args.js';

const HELP = `Usage: forkyard <verb> [options]

Verbs:
  start     run a pool in the foreground (see forkyard start --help)
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
  for (const n of pool.config.notes) process.stderr.write(`forkyard: ${n}\n`);

  pool.on('log', (e) => process.stderr.write(`[${stamp()}] [mpm_${pool.mpm}:${e.level}] ${e.id}: ${e.message}\n`));
  pool.on('exit', (e) => {
    if (opts.verbose || e.reason === 'crashed' || e.reason === 'app-error') {
      const how = e.signal ? `signal ${e.signal}` : `code ${e.code}`;
      process.stderr.write(`[${stamp()}] child ${e.pid} (slot ${e.slot}, gen ${e.generation}) exited: ${e.reason}, ${how}${e.error ? `: ${e.error}` : ''}\n`);
    }
  });
  if (opts.verbose) pool.on('spawn', (e) => process.stderr.write(`[${stamp()}] child ${e.pid} started in slot ${e.slot} (gen ${e.generation})\n`));

  let address;
  try {
    address = await pool.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const { host, port } = pool.config.listen;
    if (e.code === 'EADDRINUSE') fail(`${host}:${port} is already in use: stop what listens there or choose another address with --listen`);
    if (e.code === 'EACCES') fail(`no permission to listen on ${host}:${port}: choose a port above 1023 with --listen`);
    if (e.code === 'EADDRNOTAVAIL') fail(`${host} is not an address of this machine: use --listen 127.0.0.1:${port}`);
    if (e.code === 'FY_APP_LOAD') fail(`the application failed to load: ${e.message}`);
    fail(e.message);
  }

  mkdirSync(opts.dataDir, { recursive: true });
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
}

const [verb, ...rest] = process.argv.slice(2);
switch (verb) {
  case 'start':
    await start(rest);
    break;
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(HELP);
    break;
  default:
    fail(`unknown verb "${verb}": use one of start (see forkyard --help)`);
}
