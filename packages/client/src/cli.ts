/**
 * The `forkyard` verbs that talk to a running control plane over HTTP:
 *
 *   forkyard status [--json]                  the scoreboard, as apachectl status would show it
 *   forkyard mpm <prefork|worker|event>       live MPM switch
 *   forkyard set Directive=value…             apply directives (httpd's adjustments are printed)
 *   forkyard restart [--graceful]             hard or graceful restart
 *   forkyard stop --graceful                  graceful stop (the API has no immediate stop)
 *   forkyard loadtest <scenario> [--connections N | --rate R] [--duration S] [--compare] [--json]
 *
 * Options: --url (default http://127.0.0.1:7070), --token (default $FORKYARD_TOKEN, then the
 * operator token in <--data-dir>/tokens.json, data dir ./.forkyard). The control plane's own
 * CLI dispatches here (`runClientVerb`); exit codes: 0 done, 1 refused or failed, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MPM_NAMES_LIST, formatStatus } from './cli-format.js';
import { loadTestBody, ProgressPrinter, SCENARIO_NAMES, summaryTable } from './cli-loadtest.js';
import { ForkyardApiError, ForkyardClientError } from './errors.js';
import { DEFAULT_CONTROL_URL, ForkyardClient } from './rest-client.js';
import type { DirectiveInput, DirectiveWarningDto, LoadTestRecord, MpmName } from '@forkyard/protocol';

export const CLIENT_VERBS = ['status', 'mpm', 'set', 'restart', 'stop', 'loadtest'] as const;
export type ClientVerb = (typeof CLIENT_VERBS)[number];

export const CLIENT_HELP = `Verbs for a running control plane (over HTTP):
  status [--json]                 the scoreboard: generation, counts, one line per child
  mpm <prefork|worker|event>      switch MPM live (a new generation; nothing in flight fails)
  set Directive=value …           apply directives, e.g. set MaxRequestWorkers=64 KeepAlive=Off
  restart [--graceful]            hard restart, or graceful with --graceful
  stop --graceful                 graceful stop: in-flight requests finish, then the pool stops
  loadtest <scenario> [--connections N | --rate R] [--duration S] [--compare] [--target URL] [--json]
                                  load-test the pool: a progress line each second, then
                                  p50/p90/p99/p99.9/max, req/s and errors; --compare runs it under
                                  prefork, worker and event in turn; --json prints only the result
                                  JSON; Ctrl-C aborts the test. Scenarios: ${SCENARIO_NAMES.join(', ')}

Options:
  --url <url>        control plane (default ${DEFAULT_CONTROL_URL})
  --token <token>    bearer token (default $FORKYARD_TOKEN, else the operator token in <data-dir>/tokens.json)
  --data-dir <dir>   where tokens.json is (default ./.forkyard)
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** fetch to use (tests). */
  fetch?: typeof fetch;
  /** stdout is a terminal: progress rewrites one line (default false: one plain line per second). */
  tty?: boolean;
  /** How often a running load test is polled (default 500 ms). */
  pollMs?: number;
  /** Called with an abort function while a load test runs; returns the unsubscribe (the CLI's Ctrl-C). */
  onInterrupt?: (abort: () => void) => () => void;
}

const defaultIo = (): CliIo => ({
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  tty: process.stdout.isTTY === true,
  onInterrupt: (abort) => {
    process.once('SIGINT', abort);
    return () => process.off('SIGINT', abort);
  },
});

export function isClientVerb(verb: string): verb is ClientVerb {
  return (CLIENT_VERBS as readonly string[]).includes(verb);
}

/** The token to use: --token, then $FORKYARD_TOKEN, then the operator token on disk. */
export function resolveToken(given: string | undefined, env: Record<string, string | undefined>, dataDir: string): string | undefined {
  if (given) return given;
  if (env.FORKYARD_TOKEN) return env.FORKYARD_TOKEN;
  try {
    const stored = JSON.parse(readFileSync(join(dataDir, 'tokens.json'), 'utf8')) as { operator?: unknown };
    return typeof stored.operator === 'string' ? stored.operator : undefined;
  } catch {
    return undefined;
  }
}

/** `MaxRequestWorkers=64` → ['MaxRequestWorkers', 64]; numbers and On/Off-style booleans typed, the rest as text. */
export function parseAssignment(text: string): [string, DirectiveInput] | string {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(text);
  if (!m) return `"${text}" is not Directive=value (e.g. MaxRequestWorkers=64)`;
  const raw = m[2]!.trim();
  if (raw === '') return `${m[1]} needs a value`;
  if (/^-?\d+(?:\.\d+)?$/.test(raw)) return [m[1]!, Number(raw)];
  if (/^(true|false)$/i.test(raw)) return [m[1]!, raw.toLowerCase() === 'true'];
  return [m[1]!, raw];
}

function warningLines(warnings: readonly DirectiveWarningDto[], notes: readonly string[] = []): string {
  return [...warnings.map((w) => `WARNING: ${w.id}: ${w.message}\n`), ...notes.map((n) => `note: ${n}\n`)].join('');
}

class UsageError extends Error {}

interface Flags {
  json: boolean;
  graceful: boolean;
  compare: boolean;
  connections?: string;
  rate?: string;
  duration?: string;
  target?: string;
}

/** Starts a load test and follows it to its end: progress, then the summary table (or only the JSON). */
async function loadTest(args: string[], flags: Flags, api: ForkyardClient, io: CliIo): Promise<LoadTestRecord> {
  const [scenario = '', ...extra] = args;
  if (extra.length > 0) throw new UsageError(`loadtest takes one scenario, got "${args.join(' ')}"`);
  const body = loadTestBody(scenario, flags);
  if (typeof body === 'string') throw new UsageError(body);
  let record = flags.compare ? await api.compare(body) : await api.startLoadTest(body);
  const runs = record.kind === 'compare' ? MPM_NAMES_LIST.length : 1;
  let aborting: Promise<LoadTestRecord> | null = null;
  const unsubscribe = io.onInterrupt?.(() => {
    aborting ??= api.abortLoadTest(record.id);
    if (!flags.json) io.out(`${io.tty ? '\n' : ''}aborting ${record.id}…\n`);
  });
  const progress = new ProgressPrinter(io, runs);
  try {
    if (!flags.json) io.out(`${record.kind === 'compare' ? 'compare' : 'load test'} ${record.id}: ${record.scenario} against ${record.target}\n`);
    while (record.status === 'running') {
      await new Promise((r) => setTimeout(r, io.pollMs ?? 500));
      record = await api.loadTest(record.id);
      if (!flags.json) progress.update(record);
    }
    if (aborting) record = await aborting;
  } finally {
    unsubscribe?.();
  }
  if (!flags.json) progress.finish(record);
  io.out(flags.json ? `${JSON.stringify(record, null, 2)}\n` : summaryTable(record));
  return record;
}

async function run(verb: ClientVerb, args: string[], flags: Flags, api: ForkyardClient, io: CliIo): Promise<number> {
  switch (verb) {
    case 'status': {
      if (args.length > 0) throw new UsageError(`status takes no arguments, got "${args.join(' ')}"`);
      const snapshot = await api.status();
      io.out(flags.json ? `${JSON.stringify(snapshot, null, 2)}\n` : formatStatus(snapshot));
      return 0;
    }
    case 'mpm': {
      const [name, ...extra] = args;
      if (!name || extra.length > 0 || !MPM_NAMES_LIST.includes(name as MpmName)) throw new UsageError(`mpm needs one of ${MPM_NAMES_LIST.join(', ')}${name ? `, got "${[name, ...extra].join(' ')}"` : ''}`);
      const applied = await api.switchMpm(name as MpmName);
      io.out(`MPM is now ${applied.mpm}, generation ${applied.generation}\n${warningLines(applied.warnings, applied.notes)}`);
      return 0;
    }
    case 'set': {
      if (args.length === 0) throw new UsageError('set needs at least one Directive=value (e.g. set MaxRequestWorkers=64)');
      const body: Record<string, DirectiveInput> = {};
      for (const a of args) {
        const parsed = parseAssignment(a);
        if (typeof parsed === 'string') throw new UsageError(parsed);
        body[parsed[0]] = parsed[1];
      }
      const applied = await api.applyDirectives(body);
      const shown = Object.keys(body).map((k) => `${k} ${applied.effective[k] ?? body[k]}`);
      io.out(`${shown.join(', ')}${applied.newGeneration ? ` (new generation ${applied.generation})` : ''}\n${warningLines(applied.warnings, applied.notes)}`);
      return 0;
    }
    case 'restart': {
      if (args.length > 0) throw new UsageError(`restart takes no arguments, got "${args.join(' ')}"`);
      const result = await api.restart({ graceful: flags.graceful });
      io.out(`${flags.graceful ? 'graceful restart' : 'restart'} done: ${result.mpm}, generation ${result.generation}\n`);
      return 0;
    }
    case 'stop': {
      if (args.length > 0) throw new UsageError(`stop takes no arguments, got "${args.join(' ')}"`);
      if (!flags.graceful) {
        throw new UsageError('over HTTP the pool stops only gracefully: use "stop --graceful" (or, on the pool\'s machine, the pid-file verb "forkyard stop" without --url)');
      }
      await api.stop({ graceful: true });
      io.out('graceful stop under way: in-flight requests finish, then the pool stops\n');
      return 0;
    }
    case 'loadtest': {
      const record = await loadTest(args, flags, api, io);
      if (record.status !== 'completed' && !flags.json) io.err(`forkyard loadtest: the test ${record.status === 'aborted' ? 'was aborted' : `failed: ${record.error?.message ?? 'unknown error'}`}\n`);
      return record.status === 'completed' ? 0 : 1;
    }
  }
}

/**
 * Runs one verb against the control plane; `argv` is everything after the verb. Returns the
 * exit code and never throws for an expected failure (bad usage, refusal, unreachable).
 */
export async function runClientVerb(verb: string, argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  if (!isClientVerb(verb)) {
    io.err(`forkyard: unknown verb "${verb}"\n\n${CLIENT_HELP}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'data-dir': { type: 'string' },
        graceful: { type: 'boolean' },
        json: { type: 'boolean' },
        compare: { type: 'boolean' },
        connections: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        target: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`forkyard ${verb}: ${(err as Error).message}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(CLIENT_HELP);
    return 0;
  }
  const url = v.url ?? DEFAULT_CONTROL_URL;
  if (!/^https?:\/\/[^/]+/.test(url)) {
    io.err(`forkyard ${verb}: --url must be http(s)://host:port, got "${url}"\n`);
    return 2;
  }
  const misplaced = v.graceful && verb !== 'restart' && verb !== 'stop' ? '--graceful'
    : v.json && verb !== 'status' && verb !== 'loadtest' ? '--json'
    : verb !== 'loadtest' ? (['compare', 'connections', 'rate', 'duration', 'target'] as const).find((k) => v[k] !== undefined)?.replace(/^/, '--')
    : undefined;
  if (misplaced) {
    io.err(`forkyard ${verb}: ${misplaced} does not apply to ${verb}\n`);
    return 2;
  }
  const token = resolveToken(v.token, io.env, v['data-dir'] ?? '.forkyard');
  const api = new ForkyardClient({ url, ...(token ? { token } : {}), ...(io.fetch ? { fetch: io.fetch } : {}) });
  try {
    const flags: Flags = {
      json: v.json ?? false,
      graceful: v.graceful ?? false,
      compare: v.compare ?? false,
      ...(v.connections !== undefined ? { connections: v.connections } : {}),
      ...(v.rate !== undefined ? { rate: v.rate } : {}),
      ...(v.duration !== undefined ? { duration: v.duration } : {}),
      ...(v.target !== undefined ? { target: v.target } : {}),
    };
    return await run(verb, parsed.positionals, flags, api, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`forkyard ${verb}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ForkyardApiError) {
      const fields = err.errors.map((e) => `  ${e.field ? `${e.field}: ` : ''}${e.message} [${e.code}]\n`).join('');
      const hint = err.status === 401 && !token ? '  no token found: pass --token, set FORKYARD_TOKEN, or give --data-dir where tokens.json is\n' : '';
      io.err(`forkyard ${verb}: ${err.message} [${err.code}]\n${fields}${hint}`);
      return 1;
    }
    if (err instanceof ForkyardClientError) {
      io.err(`forkyard ${verb}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
