/**
 * `forkyard loadtest <scenario> [--connections N | --rate R] [--duration S] [--compare] [--json]`:
 * the flags as a start body, a progress line while it runs (rewritten once a second on a
 * terminal, one plain line per second otherwise), and a summary table at the end.
 */
import type { LoadTestProgress, LoadTestRecord, LoadTestStartBody, MpmName } from '@forkyard/protocol';

export const SCENARIO_NAMES = ['hello', 'connection-per-request', 'slow', 'cpu', 'idle-keepalive', 'ramp'] as const;

export interface LoadTestFlags {
  connections?: string;
  rate?: string;
  duration?: string;
  target?: string;
  compare?: boolean;
}

/** A whole number from a flag, or why not. */
function whole(flag: string, text: string | undefined): number | undefined | string {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) ? Number(text) : `--${flag} must be a whole number, got "${text}"`;
}

/**
 * The start body for `scenario` and the flags, or a usage error. `--connections` and `--rate`
 * mean idle clients and probes per second for idle-keepalive, and the top of the ramp for ramp;
 * bounds are the server's to check (it reports every field error).
 */
export function loadTestBody(scenario: string, flags: LoadTestFlags): LoadTestStartBody | string {
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) return `loadtest needs a scenario: one of ${SCENARIO_NAMES.join(', ')}${scenario ? `, got "${scenario}"` : ''}`;
  const parsed = [whole('connections', flags.connections), whole('rate', flags.rate), whole('duration', flags.duration)];
  const bad = parsed.find((v): v is string => typeof v === 'string');
  if (bad !== undefined) return bad;
  const [connections, rate, duration] = parsed as Array<number | undefined>;
  if (connections !== undefined && rate !== undefined && scenario !== 'idle-keepalive') return '--connections (closed loop) and --rate (open loop) do not go together: give one';
  const body: LoadTestStartBody = { scenario };
  if (flags.target !== undefined) body.target = flags.target;
  if (scenario === 'idle-keepalive') {
    if (connections !== undefined) body.idleClients = connections;
    if (rate !== undefined) body.probeRate = rate;
    if (duration !== undefined) body.durationSeconds = duration;
  } else if (scenario === 'ramp') {
    if (rate !== undefined) Object.assign(body, { mode: 'open', to: rate });
    else if (connections !== undefined) body.to = connections;
    // The ramp's 5 steps share the duration.
    if (duration !== undefined) body.stepSeconds = Math.max(1, Math.round(duration / 5));
  } else {
    if (rate !== undefined) Object.assign(body, { mode: 'open', rate });
    else if (connections !== undefined) body.connections = connections;
    if (duration !== undefined) body.durationSeconds = duration;
  }
  return body;
}

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

/** `prefork [#######.......] 7/10 s  1234 req/s  p50 1.20 ms  p99 3.40 ms  errors 0` */
export function progressLine(p: LoadTestProgress, runs: number): string {
  const width = 20;
  const filled = Math.min(width, Math.round((p.second / Math.max(1, p.seconds)) * width));
  const run = runs > 1 ? ` (${p.run + 1}/${runs})` : '';
  return `${p.mpm}${run} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.second}/${p.seconds} s  ${Math.round(p.rps)} req/s  p50 ${ms(p.p50)} ms  p99 ${ms(p.p99)} ms  errors ${p.errors}`;
}

interface SummaryLike {
  requests: number;
  errors: number;
  throughput: number;
  latencyMs: { p50: number; p90: number; p99: number; p99_9: number; max: number } | null;
}

/** One column per run: latency percentiles, throughput, requests and errors. */
export function summaryTable(record: LoadTestRecord): string {
  const cols = record.runs.map((run) => ({ label: run.mpm, s: ((run.result as { summary?: SummaryLike } | null)?.summary ?? null) as SummaryLike | null }));
  const lat = (pick: (l: NonNullable<SummaryLike['latencyMs']>) => number) => (s: SummaryLike | null): string => (s?.latencyMs ? ms(pick(s.latencyMs)) : '-');
  const rows: Array<[string, (s: SummaryLike | null) => string]> = [
    ['p50 (ms)', lat((l) => l.p50)],
    ['p90 (ms)', lat((l) => l.p90)],
    ['p99 (ms)', lat((l) => l.p99)],
    ['p99.9 (ms)', lat((l) => l.p99_9)],
    ['max (ms)', lat((l) => l.max)],
    ['req/s', (s) => (s ? s.throughput.toFixed(1) : '-')],
    ['requests', (s) => (s ? String(s.requests) : '-')],
    ['errors', (s) => (s ? String(s.errors) : '-')],
  ];
  const table = [['', ...cols.map((c) => c.label)], ...rows.map(([label, f]) => [label, ...cols.map((c) => f(c.s))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  const head = `${record.kind === 'compare' ? 'compare' : 'load test'} ${record.id}: ${record.scenario}, ${record.status}${record.error ? ` — ${record.error.message} [${record.error.code}]` : ''}`;
  return `${head}\n${lines.join('\n')}\n`;
}

interface TimelineLike {
  second: number;
  throughput: number;
  latencyMs: { p50: number; p99: number } | null;
  errors: { total: number };
}

/**
 * The progress display. Polling can miss a second (the last one arrives with the result), so
 * seconds not shown yet are filled in from a finished run's timeline, in order.
 */
export class ProgressPrinter {
  readonly #io: { out: (t: string) => void; tty?: boolean };
  readonly #runs: number;
  /** The last second shown, per run. */
  readonly #shown = new Map<number, number>();
  #current = -1;
  #open = false;

  constructor(io: { out: (t: string) => void; tty?: boolean }, runs: number) {
    this.#io = io;
    this.#runs = runs;
  }

  update(record: LoadTestRecord): void {
    const p = record.progress;
    if (!p) return;
    for (let run = Math.max(0, this.#current); run < p.run; run++) this.#fill(record, run);
    this.#show(p);
  }

  /** The rest of every run's seconds, then the line is closed. */
  finish(record: LoadTestRecord): void {
    for (let run = Math.max(0, this.#current); run < record.runs.length; run++) this.#fill(record, run);
    if (this.#open) this.#io.out('\n');
    this.#open = false;
  }

  #fill(record: LoadTestRecord, run: number): void {
    const r = record.runs[run];
    const timeline = (r?.result as { timeline?: TimelineLike[] } | null)?.timeline;
    if (!r || !timeline) return;
    const seconds = specSeconds(record.spec) ?? timeline.length;
    for (const s of timeline) {
      this.#show({ run, mpm: r.mpm as MpmName, second: s.second, seconds, rps: s.throughput, p50: s.latencyMs?.p50 ?? null, p99: s.latencyMs?.p99 ?? null, errors: s.errors.total });
    }
  }

  #show(p: LoadTestProgress): void {
    // The drain after the last whole second is in the summary, not on the bar.
    if (p.second > p.seconds || p.second <= (this.#shown.get(p.run) ?? 0)) return;
    const newRun = this.#current !== -1 && this.#current !== p.run;
    this.#current = p.run;
    this.#shown.set(p.run, p.second);
    if (this.#io.tty) {
      this.#io.out(`${newRun && this.#open ? '\n' : ''}\r${progressLine(p, this.#runs)}\x1b[K`);
      this.#open = true;
    } else this.#io.out(`${progressLine(p, this.#runs)}\n`);
  }
}

function specSeconds(spec: unknown): number | null {
  const s = spec as { durationSeconds?: unknown; steps?: unknown; stepSeconds?: unknown } | null;
  if (typeof s?.durationSeconds === 'number') return s.durationSeconds;
  if (typeof s?.steps === 'number' && typeof s.stepSeconds === 'number') return s.steps * s.stepSeconds;
  return null;
}
