import type { MpmName } from '../scoreboard/types.js';
import { parseDirectives } from './parse.js';
import { defaultDirectives } from './table.js';
import type {
  DirectiveError,
  DirectiveName,
  DirectiveWarning,
  Directives,
  EffectiveDirectives,
} from './types.js';

/**
 * httpd's startup adjustments, in httpd's order: the check_config hook of each MPM (which logs a
 * warning per change) followed by the silent raises its run hook makes before forking.
 * Warning texts are httpd's startup (console) wording without the "WARNING: " prefix, with
 * advice appended where httpd's text does not already name the directive to change.
 *
 * @see httpd prefork.c prefork_check_config, prefork_run; worker.c worker_check_config,
 *      worker_run; event.c event_check_config, event_run
 */

export interface AdjustResult {
  effective: EffectiveDirectives;
  warnings: DirectiveWarning[];
}

/**
 * Listener buckets. httpd has one per ListenCoresBucketsRatio share of the CPUs; Forkyard has
 * a single listener, so B = 1 and the run-time raises reduce to the documented "+ 1" rules.
 */
const BUCKETS = 1;

const MAX_SERVER_LIMIT: Readonly<Record<MpmName, number>> = { prefork: 200_000, worker: 20_000, event: 20_000 };
const MAX_THREAD_LIMIT: Readonly<Record<'worker' | 'event', number>> = { worker: 20_000, event: 100_000 };

/** The same rule logs under a different id in worker.c and event.c. */
const THREADED_IDS = {
  worker: {
    serverLimitHigh: 'AH00300', serverLimitLow: 'AH00302', threadLimitHigh: 'AH00305', threadLimitLow: 'AH00307',
    threadsHigh: 'AH00310', threadsLow: 'AH00312', workersBelowThreads: 'AH00314', workersMultiple: 'AH00316',
    workersServerLimit: 'AH00318', startServers: 'AH00320', minSpareThreads: 'AH00322',
  },
  event: {
    serverLimitHigh: 'AH00497', serverLimitLow: 'AH00499', threadLimitHigh: 'AH00502', threadLimitLow: 'AH00504',
    threadsHigh: 'AH00507', threadsLow: 'AH00509', workersBelowThreads: 'AH00511', workersMultiple: 'AH00513',
    workersServerLimit: 'AH00515', startServers: 'AH00517', minSpareThreads: 'AH00519',
  },
} as const;

export function adjustDirectives(mpm: MpmName, d: Directives): AdjustResult {
  return mpm === 'prefork' ? adjustPrefork(d) : adjustThreaded(mpm, d);
}

function adjustPrefork(d: Directives): AdjustResult {
  const e = { ...d };
  const w: DirectiveWarning[] = [];
  const max = MAX_SERVER_LIMIT.prefork;

  if (e.ServerLimit > max) {
    e.ServerLimit = note(w, 'AH00175', 'ServerLimit', e.ServerLimit, max,
      `ServerLimit of ${e.ServerLimit} exceeds compile-time limit of ${max} servers, decreasing to ${max}.`,
      `Set ServerLimit to ${max} or less.`);
  } else if (e.ServerLimit < 1) {
    e.ServerLimit = note(w, 'AH00177', 'ServerLimit', e.ServerLimit, 1,
      `ServerLimit of ${e.ServerLimit} not allowed, increasing to 1.`, 'Set ServerLimit to 1 or more.');
  }

  if (e.MaxRequestWorkers > e.ServerLimit) {
    e.MaxRequestWorkers = note(w, 'AH00180', 'MaxRequestWorkers', e.MaxRequestWorkers, e.ServerLimit,
      `MaxRequestWorkers of ${e.MaxRequestWorkers} exceeds ServerLimit value of ${e.ServerLimit} servers, ` +
        `decreasing MaxRequestWorkers to ${e.ServerLimit}. To increase, please see the ServerLimit directive.`);
  } else if (e.MaxRequestWorkers < 1) {
    e.MaxRequestWorkers = note(w, 'AH00182', 'MaxRequestWorkers', e.MaxRequestWorkers, 1,
      `MaxRequestWorkers of ${e.MaxRequestWorkers} not allowed, increasing to 1.`, 'Set MaxRequestWorkers to 1 or more.');
  }

  if (e.StartServers < 1) {
    e.StartServers = note(w, 'AH00184', 'StartServers', e.StartServers, 1,
      `StartServers of ${e.StartServers} not allowed, increasing to 1.`, 'Set StartServers to 1 or more.');
  }

  if (e.MinSpareServers < 1) {
    e.MinSpareServers = note(w, 'AH00186', 'MinSpareServers', e.MinSpareServers, 1,
      `MinSpareServers of ${e.MinSpareServers} not allowed, increasing to 1 to avoid almost certain server ` +
        'failure. Please read the documentation.', 'Set MinSpareServers to 1 or more.');
  }

  // prefork_run, silently.
  e.MaxRequestWorkers = Math.max(e.MaxRequestWorkers, BUCKETS);
  e.StartServers = Math.max(e.StartServers, BUCKETS);
  e.MinSpareServers = Math.max(e.MinSpareServers, BUCKETS);
  e.MaxSpareServers = Math.max(e.MaxSpareServers, e.MinSpareServers + BUCKETS);

  // One process is one worker: the scoreboard has a single thread column.
  e.ThreadsPerChild = 1;
  e.ThreadLimit = 1;
  return { effective: { ...e, MaxDaemons: e.MaxRequestWorkers }, warnings: w };
}

function adjustThreaded(mpm: 'worker' | 'event', d: Directives): AdjustResult {
  const e = { ...d };
  const w: DirectiveWarning[] = [];
  const ids = THREADED_IDS[mpm];
  const maxServers = MAX_SERVER_LIMIT[mpm];
  const maxThreads = MAX_THREAD_LIMIT[mpm];

  if (e.ServerLimit > maxServers) {
    e.ServerLimit = note(w, ids.serverLimitHigh, 'ServerLimit', e.ServerLimit, maxServers,
      `ServerLimit of ${e.ServerLimit} exceeds compile-time limit of ${maxServers} servers, decreasing to ${maxServers}.`,
      `Set ServerLimit to ${maxServers} or less.`);
  } else if (e.ServerLimit < 1) {
    e.ServerLimit = note(w, ids.serverLimitLow, 'ServerLimit', e.ServerLimit, 1,
      `ServerLimit of ${e.ServerLimit} not allowed, increasing to 1.`, 'Set ServerLimit to 1 or more.');
  }

  if (e.ThreadLimit > maxThreads) {
    e.ThreadLimit = note(w, ids.threadLimitHigh, 'ThreadLimit', e.ThreadLimit, maxThreads,
      `ThreadLimit of ${e.ThreadLimit} exceeds compile-time limit of ${maxThreads} threads, decreasing to ${maxThreads}.`,
      `Set ThreadLimit to ${maxThreads} or less.`);
  } else if (e.ThreadLimit < 1) {
    e.ThreadLimit = note(w, ids.threadLimitLow, 'ThreadLimit', e.ThreadLimit, 1,
      `ThreadLimit of ${e.ThreadLimit} not allowed, increasing to 1.`, 'Set ThreadLimit to 1 or more.');
  }

  if (e.ThreadsPerChild > e.ThreadLimit) {
    e.ThreadsPerChild = note(w, ids.threadsHigh, 'ThreadsPerChild', e.ThreadsPerChild, e.ThreadLimit,
      `ThreadsPerChild of ${e.ThreadsPerChild} exceeds ThreadLimit of ${e.ThreadLimit} threads, decreasing to ` +
        `${e.ThreadLimit}. To increase, please see the ThreadLimit directive.`);
  } else if (e.ThreadsPerChild < 1) {
    e.ThreadsPerChild = note(w, ids.threadsLow, 'ThreadsPerChild', e.ThreadsPerChild, 1,
      `ThreadsPerChild of ${e.ThreadsPerChild} not allowed, increasing to 1.`, 'Set ThreadsPerChild to 1 or more.');
  }
  const tpc = e.ThreadsPerChild;

  if (e.MaxRequestWorkers < tpc) {
    e.MaxRequestWorkers = note(w, ids.workersBelowThreads, 'MaxRequestWorkers', e.MaxRequestWorkers, tpc,
      `MaxRequestWorkers of ${e.MaxRequestWorkers} is less than ThreadsPerChild of ${tpc}, increasing to ${tpc}. ` +
        'MaxRequestWorkers must be at least as large as the number of threads in a single server.',
      `Set MaxRequestWorkers to ${tpc} or more, or lower ThreadsPerChild.`);
  }

  // D: the most *active* children (event may run stopping ones in the slots up to ServerLimit).
  let daemons = Math.floor(e.MaxRequestWorkers / tpc);
  if (e.MaxRequestWorkers % tpc !== 0) {
    const multiple = daemons * tpc;
    e.MaxRequestWorkers = note(w, ids.workersMultiple, 'MaxRequestWorkers', e.MaxRequestWorkers, multiple,
      `MaxRequestWorkers of ${e.MaxRequestWorkers} is not an integer multiple of ThreadsPerChild of ${tpc}, ` +
        `decreasing to nearest multiple ${multiple}, for a maximum of ${daemons} servers.`,
      `Set MaxRequestWorkers to a multiple of ThreadsPerChild, such as ${multiple}.`);
  }

  if (daemons > e.ServerLimit) {
    // httpd lowers only D here, not the stored MaxRequestWorkers: maintenance keeps comparing
    // active threads with the larger value ("scoreboard is full, not at MaxRequestWorkers").
    // `to` is the capacity the message announces.
    note(w, ids.workersServerLimit, 'MaxRequestWorkers', e.MaxRequestWorkers, e.ServerLimit * tpc,
      `MaxRequestWorkers of ${e.MaxRequestWorkers} would require ${daemons} servers and would exceed ServerLimit ` +
        `of ${e.ServerLimit}, decreasing to ${e.ServerLimit * tpc}. To increase, please see the ServerLimit directive.`);
    daemons = e.ServerLimit;
  }

  if (e.StartServers < 1) {
    e.StartServers = note(w, ids.startServers, 'StartServers', e.StartServers, 1,
      `StartServers of ${e.StartServers} not allowed, increasing to 1.`, 'Set StartServers to 1 or more.');
  }

  if (e.MinSpareThreads < 1) {
    e.MinSpareThreads = note(w, ids.minSpareThreads, 'MinSpareThreads', e.MinSpareThreads, 1,
      `MinSpareThreads of ${e.MinSpareThreads} not allowed, increasing to 1 to avoid almost certain server ` +
        'failure. Please read the documentation.', 'Set MinSpareThreads to 1 or more.');
  }

  // worker_run / event_run, silently. The docs say MaxSpareThreads ≥ MinSpareThreads +
  // ThreadsPerChild; the code adds one more.
  daemons = Math.max(daemons, BUCKETS);
  e.StartServers = Math.max(e.StartServers, BUCKETS);
  e.MinSpareThreads = Math.max(e.MinSpareThreads, tpc * (BUCKETS - 1) + BUCKETS);
  e.MaxSpareThreads = Math.max(e.MaxSpareThreads, e.MinSpareThreads + (tpc + 1) * BUCKETS);

  // event.c set_worker_factor: a factor below 1 acts as 1, without a message.
  if (mpm === 'event') e.AsyncRequestWorkerFactor = Math.max(e.AsyncRequestWorkerFactor, 1);

  return { effective: { ...e, MaxDaemons: daemons }, warnings: w };
}

/** Records one warning and returns the value the directive takes. */
function note(
  warnings: DirectiveWarning[],
  id: string,
  directive: DirectiveName,
  from: number,
  to: number,
  httpdText: string,
  advice?: string,
): number {
  warnings.push({ id, directive, from, to, message: advice ? `${httpdText} ${advice}` : httpdText });
  return to;
}

// The entry point for the CLI, the config loader and the API ------------------------------------

export type ValidateResult =
  | { ok: true; effective: EffectiveDirectives; directives: Directives; warnings: DirectiveWarning[]; notes: string[] }
  | { ok: false; errors: DirectiveError[] };

/**
 * Parses `raw` over `base` (default: httpd's defaults for the MPM) and applies httpd's startup
 * adjustments. `directives` is what the operator asked for (store it); `effective` is what the
 * engine runs with.
 */
export function validateAndAdjust(raw: Record<string, unknown>, mpm: MpmName, base?: Directives): ValidateResult {
  const parsed = parseDirectives(raw, mpm);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  const directives: Directives = { ...(base ?? defaultDirectives(mpm)), ...parsed.values };
  const { effective, warnings } = adjustDirectives(mpm, directives);
  return { ok: true, effective, directives, warnings, notes: parsed.notes };
}
