import type { MpmName } from '../scoreboard/types.js';
import type { DirectiveDef, DirectiveName, DirectiveValue, Directives } from './types.js';

/**
 * The one directive table: validation, the API schema and the dashboard's form all read it.
 * Defaults are httpd 2.4's (each MPM's *_pre_config and mpm_default.h); where a directive does
 * not apply to an MPM, its default there is the value it has where it does apply, so a value
 * carried across an MPM switch is always a sensible one.
 *
 * min/max bound what is syntactically accepted. httpd itself takes 0 (and negatives) and then
 * adjusts at startup; Forkyard accepts 0 so the same adjustment and warning happen (adjust.ts),
 * and refuses negatives and absurd limits outright.
 *
 * @see httpd server/mpm/{prefork,worker,event}/*.c *_pre_config, *_cmds
 */

const ALL: readonly MpmName[] = ['prefork', 'worker', 'event'];
const PREFORK: readonly MpmName[] = ['prefork'];
const THREADED: readonly MpmName[] = ['worker', 'event'];
const EVENT: readonly MpmName[] = ['event'];

/** Node timers overflow past 2^31 − 1 ms (they fire at once), so no timeout may be longer. */
const MAX_TIMER_SECONDS = 2_147_483;

function same(value: DirectiveValue): Readonly<Record<MpmName, DirectiveValue>> {
  return { prefork: value, worker: value, event: value };
}

function perMpm(prefork: DirectiveValue, threaded: DirectiveValue): Readonly<Record<MpmName, DirectiveValue>> {
  return { prefork, worker: threaded, event: threaded };
}

type Entry = Omit<DirectiveDef, 'name'>;

// Keyed by name so that a key of `Directives` without an entry is a compile error.
const ENTRIES = {
  StartServers: {
    kind: 'integer', mpms: ALL, defaults: perMpm(5, 3), min: 0, unit: 'processes', apply: 'generation',
    help: 'Number of child processes created at startup. After that the pool grows and shrinks with load, so this only shapes the first seconds.',
  },
  MinSpareServers: {
    kind: 'integer', mpms: PREFORK, defaults: same(5), min: 0, unit: 'processes', apply: 'tick',
    help: 'Minimum number of idle child processes. Below it the primary forks new children, doubling the rate each maintenance pass up to 32.',
  },
  MaxSpareServers: {
    kind: 'integer', mpms: PREFORK, defaults: same(10), min: 0, unit: 'processes', apply: 'tick',
    help: 'Maximum number of idle child processes; above it one idle child is stopped per maintenance pass. Raised to MinSpareServers + 1 if set lower.',
  },
  MinSpareThreads: {
    kind: 'integer', mpms: THREADED, defaults: same(75), min: 0, unit: 'threads', apply: 'tick',
    help: 'Minimum number of idle threads across the pool. Below it the primary starts new children.',
  },
  MaxSpareThreads: {
    kind: 'integer', mpms: THREADED, defaults: same(250), min: 0, unit: 'threads', apply: 'tick',
    help: 'Maximum number of idle threads across the pool; above it one child is stopped per maintenance pass. Raised to at least MinSpareThreads + ThreadsPerChild + 1.',
  },
  ThreadsPerChild: {
    kind: 'integer', mpms: THREADED, defaults: perMpm(1, 25), min: 0, max: 100_000, unit: 'threads', apply: 'generation',
    help: 'Number of worker threads each child process runs. Cannot exceed ThreadLimit; changing it starts a new generation of children.',
  },
  ThreadLimit: {
    kind: 'integer', mpms: THREADED, defaults: perMpm(1, 64), min: 0, max: 100_000, unit: 'threads', apply: 'restart',
    help: 'Upper bound of ThreadsPerChild for the life of the pool; it sizes the scoreboard. Only a full restart changes it.',
  },
  ServerLimit: {
    kind: 'integer', mpms: ALL, defaults: perMpm(256, 16), min: 0, max: 200_000, unit: 'processes', apply: 'restart',
    help: 'Upper bound on the number of child processes for the life of the pool; it sizes the scoreboard. Only a full restart changes it.',
  },
  MaxRequestWorkers: {
    kind: 'integer', mpms: ALL, defaults: perMpm(256, 400), min: 0, unit: 'workers', apply: 'tick',
    help: 'Maximum number of requests served at the same time (processes for prefork, threads for worker and event). Further connections wait in the accept queue.',
  },
  AsyncRequestWorkerFactor: {
    kind: 'number', mpms: EVENT, defaults: same(2), exclusiveMin: 0, apply: 'tick',
    help: 'How many connections per idle worker an event child takes on top of ThreadsPerChild before it stops accepting. Values below 1 act as 1.',
  },
  MaxConnectionsPerChild: {
    kind: 'integer', mpms: ALL, defaults: same(0), min: 0, unit: 'connections', apply: 'tick',
    help: 'Number of connections a child serves before it exits gracefully and is replaced. 0 means no limit.',
  },
  MaxMemoryPerChild: {
    kind: 'integer', mpms: ALL, defaults: same(0), min: 0, max: 1_048_576, unit: 'MiB', apply: 'tick',
    help: "Recycle a child whose resident memory (RSS, sampled each second) passes this many MiB: it finishes what it holds while its replacement starts. 0 turns it off (Forkyard's own, like uWSGI's reload-on-rss).",
  },
  GracefulShutdownTimeout: {
    kind: 'duration', mpms: ALL, defaults: same(0), min: 0, max: MAX_TIMER_SECONDS, unit: 's', apply: 'tick',
    help: 'How long a graceful stop waits for in-flight requests before the remaining children are killed. 0 waits forever.',
  },
  ListenBacklog: {
    kind: 'integer', mpms: ALL, defaults: same(511), min: 1, unit: 'connections', apply: 'restart',
    help: 'Length of the kernel queue of connections not yet accepted. The operating system may cap it lower.',
  },
  KeepAlive: {
    kind: 'boolean', mpms: ALL, defaults: same(true), apply: 'tick',
    help: 'Whether a connection stays open for further requests after a response (On or Off).',
  },
  KeepAliveTimeout: {
    kind: 'duration', mpms: ALL, defaults: same(5), min: 0, max: MAX_TIMER_SECONDS, unit: 's', apply: 'tick',
    help: 'How long an idle keep-alive connection waits for its next request, in seconds or with an ms suffix. 0 disables keep-alive.',
  },
  MaxKeepAliveRequests: {
    kind: 'integer', mpms: ALL, defaults: same(100), min: 0, unit: 'requests', apply: 'tick',
    help: 'Keep-alive responses allowed on one connection; as in httpd the connection then serves one more request and closes. 0 means no limit.',
  },
  Timeout: {
    kind: 'duration', mpms: ALL, defaults: same(60), min: 0.001, max: MAX_TIMER_SECONDS, unit: 's', apply: 'tick',
    help: 'How long to wait for a client to send a request or accept a response before giving up on the connection.',
  },
  RequestTimeLimit: {
    kind: 'duration', mpms: ALL, defaults: same(0), min: 0, max: MAX_TIMER_SECONDS, unit: 's', apply: 'tick',
    help: "Longest a handler may run on one request, in seconds (0: no limit; Forkyard's own, like uWSGI's harakiri). Past it the thread (worker/event) or the child (prefork) is stopped and replaced, the client gets 503, and the handler's stack is kept for the event log.",
  },
  LimitRequestBody: {
    kind: 'integer', mpms: ALL, defaults: same(1_073_741_824), min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'bytes', apply: 'tick',
    help: 'Largest request body accepted, in bytes (0: no limit; httpd 2.4.54+ default: 1 GiB). A larger body is refused with 413 before or while it is read, and the connection is closed.',
  },
  ExtendedStatus: {
    kind: 'boolean', mpms: ALL, defaults: same(true), apply: 'tick',
    help: 'Whether each slot keeps per-request details (client, request line, times, counters) for /server-status. On, as in httpd with mod_status loaded.',
  },
  MaintenanceInterval: {
    kind: 'integer', mpms: ALL, defaults: same(1000), min: 10, max: 60_000, unit: 'ms', apply: 'tick',
    help: "Milliseconds between the primary's pool maintenance passes (httpd: fixed at 1 second). Spawn rates and idle kills are per pass.",
  },
} as const satisfies Record<DirectiveName, Entry>;

export const DIRECTIVES: readonly DirectiveDef[] = (Object.keys(ENTRIES) as DirectiveName[]).map(
  (name): DirectiveDef => ({ name, ...ENTRIES[name] }),
);

const BY_NAME: ReadonlyMap<string, DirectiveDef> = new Map(DIRECTIVES.map((d) => [d.name, d]));

/** The table entry of a directive, by its exact httpd spelling. */
export function directiveDef(name: DirectiveName): DirectiveDef;
export function directiveDef(name: string): DirectiveDef | undefined;
export function directiveDef(name: string): DirectiveDef | undefined {
  return BY_NAME.get(name);
}

/** httpd's defaults for an MPM (before any configuration is read). */
export function defaultDirectives(mpm: MpmName): Directives {
  const out: Record<string, DirectiveValue> = {};
  for (const def of DIRECTIVES) out[def.name] = def.defaults[mpm];
  return out as unknown as Directives;
}

/**
 * httpd's old spellings, still accepted. Each logs an INFO deprecation note with its own id
 * (MaxClients: one per MPM).
 */
export const DEPRECATED_NAMES: Readonly<Record<string, { name: DirectiveName; ids: Readonly<Record<MpmName, string>> }>> = {
  MaxClients: { name: 'MaxRequestWorkers', ids: { prefork: 'AH00188', worker: 'AH00324', event: 'AH00521' } },
  MaxRequestsPerChild: { name: 'MaxConnectionsPerChild', ids: { prefork: 'AH00545', worker: 'AH00545', event: 'AH00545' } },
};
