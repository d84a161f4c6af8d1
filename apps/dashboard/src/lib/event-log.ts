/**
 * Stream events as the event log and the charts show them: one line of text, a level, and
 * whether the charts mark it on the time axis. Pure.
 */
import type { AuditEntry, StreamEvent } from '@forkyard/protocol';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  id: number;
  at: number;
  kind: StreamEvent['kind'] | 'connection';
  level: LogLevel;
  text: string;
  /** Marked on the charts' time axis: spawns faintly, exits, generations, changes and warnings plainly. */
  marker: boolean;
}

export const EVENT_LOG_LIMIT = 500;

const EXIT_REASONS: Record<string, string> = {
  surplus: 'surplus (idle above the spare limit)',
  recycled: 'recycled',
  generation: 'old generation finished',
  stop: 'pool stopping',
  'app-error': 'application error',
  crashed: 'crashed',
  killed: 'killed',
};

const GENERATION_REASONS: Record<string, string> = {
  'graceful-restart': 'graceful restart',
  restart: 'hard restart',
  switch: 'MPM switch',
  directives: 'directive change',
};

function show(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 'On' : 'Off') : String(v);
}

/** `mpm prefork, generation 2`: the first few fields of an audit entry's "after". */
function summary(after: unknown): string {
  if (typeof after !== 'object' || after === null) return '';
  return Object.entries(after)
    .filter(([, v]) => typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k} ${show(v)}`)
    .join(', ');
}

export function describeEvent(event: StreamEvent): Omit<LogEntry, 'id'> {
  const line = describe(event);
  return line ?? { at: event.at, kind: event.kind, level: 'info', marker: false, text: event.kind };
}

function describe(event: StreamEvent): Omit<LogEntry, 'id'> | null {
  switch (event.kind) {
    case 'spawn':
      return { at: event.at, kind: 'spawn', level: 'info', marker: true, text: `child ${event.pid} started in slot ${event.slot} (generation ${event.generation}, ${event.mpm})` };
    case 'exit': {
      const how = event.signal ? `signal ${event.signal}` : event.code !== null ? `code ${event.code}` : '';
      const level: LogLevel = event.reason === 'crashed' || event.reason === 'app-error' ? 'error' : event.reason === 'killed' ? 'warn' : 'info';
      const text = `child ${event.pid} exited: ${EXIT_REASONS[event.reason] ?? event.reason}${how ? ` (${how})` : ''}${event.error ? ` — ${event.error}` : ''}`;
      return { at: event.at, kind: 'exit', level, marker: true, text };
    }
    case 'generation':
      return { at: event.at, kind: 'generation', level: 'info', marker: true, text: `generation ${event.generation} (${event.mpm}): ${GENERATION_REASONS[event.reason] ?? event.reason}` };
    case 'directives':
      return {
        at: event.at,
        kind: 'directives',
        level: 'info',
        marker: true,
        text: event.changes.length === 0 ? 'directives applied (no change)' : event.changes.map((c) => `${c.directive} ${show(c.before)} → ${show(c.after)}`).join(', '),
      };
    case 'log':
      return { at: event.at, kind: 'log', level: event.level, marker: event.level !== 'info', text: `${event.id}: ${event.message}` };
    case 'loadtest': {
      const what = `load test ${event.scenario}${event.testKind === 'compare' ? ' (compare)' : ''}`;
      switch (event.phase) {
        case 'started':
          return { at: event.at, kind: 'loadtest', level: 'info', marker: true, text: `${what} started under ${event.mpm}` };
        case 'run':
          return { at: event.at, kind: 'loadtest', level: 'info', marker: true, text: `${what}: run ${event.run + 1} under ${event.mpm}` };
        case 'progress':
          return { at: event.at, kind: 'loadtest', level: 'info', marker: false, text: `${what}: second ${event.second ?? '?'}/${event.seconds ?? '?'}, ${Math.round(event.rps ?? 0)} req/s` };
        case 'finished':
          return { at: event.at, kind: 'loadtest', level: 'info', marker: true, text: `${what} finished` };
        case 'aborted':
          return { at: event.at, kind: 'loadtest', level: 'warn', marker: true, text: `${what} aborted` };
        case 'failed':
          return { at: event.at, kind: 'loadtest', level: 'error', marker: true, text: `${what} failed${event.message ? `: ${event.message}` : ''}` };
      }
      break;
    }
    case 'audit': {
      const e = event.entry;
      const what = summary(e.after);
      return { at: event.at, kind: 'audit', level: e.result === 'ok' ? 'info' : 'warn', marker: false, text: `${e.actor}: ${e.action} ${e.result === 'ok' ? 'done' : `failed (${e.result})`}${what ? ` — ${what}` : ''}` };
    }
  }
  return null;
}

export function appendLog(log: readonly LogEntry[], entry: LogEntry): LogEntry[] {
  const next = log.length >= EVENT_LOG_LIMIT ? log.slice(log.length - EVENT_LOG_LIMIT + 1) : log.slice();
  next.push(entry);
  return next;
}

/**
 * The log with the audit trail's recent entries (newest first, as the API lists them) put
 * before everything the stream has said since; entries already there are not repeated.
 */
export function withAuditBackfill<S extends { log: readonly LogEntry[]; nextLogId: number }>(state: S, entries: readonly AuditEntry[]): S {
  const seen = new Set(state.log.filter((e) => e.kind === 'audit').map((e) => `${e.at}|${e.text}`));
  let id = state.nextLogId;
  const older: LogEntry[] = [];
  for (const entry of [...entries].reverse()) {
    const line = { id: id++, ...describeEvent({ kind: 'audit', at: entry.time, entry }) };
    if (!seen.has(`${line.at}|${line.text}`)) older.push(line);
  }
  const log = [...older, ...state.log].sort((a, b) => a.at - b.at || a.id - b.id).slice(-EVENT_LOG_LIMIT);
  return { ...state, log, nextLogId: id };
}
