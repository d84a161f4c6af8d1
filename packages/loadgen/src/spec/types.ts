/**
 * What a load test is asked to do: one scenario with its typed parameters. A spec is plain JSON
 * (it is stored with the result and crosses the thread boundary); `validateSpec` turns any input
 * into a complete spec with every default filled in, or into every field error at once.
 */

/** Closed loop: N connections, each sends its next request when the previous one answered.
 *  Open loop: requests are sent at a fixed arrival rate whatever the server does, and latency is
 *  measured from each request's intended send time (no coordinated omission). */
export type LoadMode = 'closed' | 'open';

export const SCENARIOS = ['hello', 'connection-per-request', 'slow', 'cpu', 'idle-keepalive', 'ramp'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Fields shared by the steady-load scenarios. */
export interface SteadyLoad {
  mode: LoadMode;
  /** Closed loop: how many connections send. Open loop: the most connections the runner may open. */
  connections: number;
  /** Open loop only: requests per second. */
  rate: number;
  durationSeconds: number;
  /** A request with no complete answer after this long counts as a timeout error. */
  timeoutMs: number;
}

/** Keep-alive connections sending `GET /` (the demo app's hello). */
export interface HelloSpec extends SteadyLoad {
  scenario: 'hello';
}

/** `GET /` on a new TCP connection every time (`Connection: close`). */
export interface ConnectionPerRequestSpec extends SteadyLoad {
  scenario: 'connection-per-request';
}

/** `GET /sleep?ms=` : a handler that holds its slot without using CPU. */
export interface SlowSpec extends SteadyLoad {
  scenario: 'slow';
  sleepMs: number;
}

/** `GET /cpu?ms=` : a handler that holds a core. */
export interface CpuSpec extends SteadyLoad {
  scenario: 'cpu';
  cpuMs: number;
}

/**
 * The worker-vs-event showcase: `idleClients` keep-alive connections each send one request and
 * then sit idle, while probes (`probeRate` per second, open loop, each on a NEW connection)
 * measure how long a fresh client waits. Under worker each idle connection holds a thread; under
 * event it holds none.
 */
export interface IdleKeepAliveSpec {
  scenario: 'idle-keepalive';
  idleClients: number;
  /** Reopen (and send one request on) an idle connection the server closed, so K stay held. */
  reconnect: boolean;
  probeRate: number;
  probePath: string;
  durationSeconds: number;
  timeoutMs: number;
}

/** Load rising in `steps` equal steps from `from` to `to`: connections (closed) or rate (open). */
export interface RampSpec {
  scenario: 'ramp';
  mode: LoadMode;
  from: number;
  to: number;
  steps: number;
  stepSeconds: number;
  /** Open loop only: the most connections the runner may open. */
  connections: number;
  path: string;
  timeoutMs: number;
}

export type LoadTestSpec = HelloSpec | ConnectionPerRequestSpec | SlowSpec | CpuSpec | IdleKeepAliveSpec | RampSpec;

/** Hard upper bounds: nothing can ask for more than this. */
export const LIMITS = {
  durationSeconds: 300,
  connections: 2_000,
  rate: 50_000,
  idleClients: 5_000,
  timeoutMs: 120_000,
  sleepMs: 60_000,
  cpuMs: 10_000,
  probeRate: 1_000,
  steps: 100,
  pathLength: 2_048,
} as const;

/** Defaults per scenario: what a run with only `{ scenario }` does. */
export const DEFAULTS = {
  hello: { scenario: 'hello', mode: 'closed', connections: 32, rate: 1_000, durationSeconds: 10, timeoutMs: 10_000 },
  'connection-per-request': {
    scenario: 'connection-per-request',
    mode: 'closed',
    connections: 16,
    rate: 500,
    durationSeconds: 10,
    timeoutMs: 10_000,
  },
  slow: { scenario: 'slow', mode: 'closed', connections: 64, rate: 200, durationSeconds: 10, timeoutMs: 10_000, sleepMs: 100 },
  cpu: { scenario: 'cpu', mode: 'closed', connections: 8, rate: 50, durationSeconds: 10, timeoutMs: 10_000, cpuMs: 10 },
  'idle-keepalive': {
    scenario: 'idle-keepalive',
    idleClients: 200,
    reconnect: true,
    probeRate: 10,
    probePath: '/',
    durationSeconds: 10,
    timeoutMs: 10_000,
  },
  ramp: { scenario: 'ramp', mode: 'closed', from: 8, to: 128, steps: 5, stepSeconds: 4, connections: 256, path: '/', timeoutMs: 10_000 },
} as const satisfies { [K in ScenarioName]: Extract<LoadTestSpec, { scenario: K }> };

/** Any JSON a caller may send: a scenario name and whichever fields it wants to set. */
export type LoadTestInput = { scenario: ScenarioName } & Partial<Record<string, unknown>>;

/** How long a spec keeps sending traffic, in seconds (idle set-up not included). */
export function specDurationSeconds(spec: LoadTestSpec): number {
  return spec.scenario === 'ramp' ? spec.steps * spec.stepSeconds : spec.durationSeconds;
}
