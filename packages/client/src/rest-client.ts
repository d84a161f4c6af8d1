/**
 * The control plane's REST API as typed calls (paths and bodies from @forkyard/protocol's
 * rest.ts). fetch-based, so it runs unchanged in Node 20 and in browsers; every call has a
 * timeout, and every failure is a ForkyardApiError or a ForkyardClientError.
 *
 *   const api = new ForkyardClient({ url: 'http://127.0.0.1:7070', token });
 *   await api.applyDirectives({ MaxRequestWorkers: 64 });
 */
import {
  API_PATHS,
  API_PREFIX,
  type AuditPage,
  type ChildAction,
  type ChildActionResult,
  type ChildList,
  type DirectivesApplied,
  type DirectivesBody,
  type DirectivesState,
  type DirectivesValidation,
  type LifecycleResult,
  type LoadTestPage,
  type LoadTestRecord,
  type LoadTestStartBody,
  type MpmName,
  type StatusSnapshot,
  type StreamTicket,
} from '@forkyard/protocol';
import { errorFromResponse, ForkyardClientError } from './errors.js';

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:7070';
const DEFAULT_TIMEOUT_MS = 60_000;

export interface ForkyardClientOptions {
  /** The control plane's base URL (default http://127.0.0.1:7070). */
  url?: string;
  /** A viewer or operator token; omitted for open reads on loopback. */
  token?: string;
  /** Per-call timeout in ms (default 60 s: a graceful restart waits for old children). */
  timeoutMs?: number;
  /** Another fetch (tests, instrumentation). */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export class ForkyardClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: ForkyardClientOptions = {}) {
    this.url = (opts.url ?? DEFAULT_CONTROL_URL).replace(/\/+$/, '');
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The whole scoreboard now. */
  status(): Promise<StatusSnapshot> {
    return this.#call('GET', API_PATHS.status);
  }

  /** Values asked for, effective values, overrides, httpd's warnings and the directive table. */
  directives(): Promise<DirectivesState> {
    return this.#call('GET', API_PATHS.directives);
  }

  /** What `body` would do (adjustments, warnings, whether it rolls a generation); applies nothing. */
  validateDirectives(body: DirectivesBody): Promise<DirectivesValidation> {
    return this.#call('POST', API_PATHS.directivesValidate, body);
  }

  /** Merges `body` into the current directives (`replace`: the rest return to their defaults). */
  applyDirectives(body: DirectivesBody, opts: { replace?: boolean } = {}): Promise<DirectivesApplied> {
    return this.#call(opts.replace ? 'PUT' : 'PATCH', API_PATHS.directives, body);
  }

  /** A live switch to another MPM: a new generation; nothing in flight fails. */
  switchMpm(mpm: MpmName): Promise<DirectivesApplied> {
    return this.#call('POST', API_PATHS.mpm, { mpm });
  }

  /** Graceful (httpd SIGUSR1) or hard (SIGHUP) restart. Resolves once the new generation runs. */
  restart(opts: { graceful?: boolean } = {}): Promise<LifecycleResult> {
    return this.#call('POST', opts.graceful ? API_PATHS.gracefulRestart : API_PATHS.restart);
  }

  /**
   * Graceful stop (httpd SIGWINCH): answered at once (202); the pool finishes what it holds.
   * The API has no immediate stop: `{ graceful: false }` fails with FY_CLIENT_UNSUPPORTED.
   */
  stop(opts: { graceful?: boolean } = {}): Promise<LifecycleResult> {
    if (!opts.graceful) {
      return Promise.reject(new ForkyardClientError('FY_CLIENT_UNSUPPORTED', 'the control plane stops a pool only gracefully: use stop({ graceful: true }), or signal the primary (forkyard stop with its pid file)'));
    }
    return this.#call('POST', API_PATHS.gracefulStop);
  }

  children(): Promise<ChildList> {
    return this.#call('GET', API_PATHS.children);
  }

  /** 'recycle': the child finishes what it holds, then exits; 'kill': SIGKILL now. */
  childAction(pid: number, action: ChildAction): Promise<ChildActionResult> {
    const path = action === 'recycle' ? API_PATHS.childRecycle : API_PATHS.childKill;
    return this.#call('POST', path.replace(':pid', String(pid)));
  }

  /** A page of the audit trail, newest first; pass the page's `next` as `before` for older ones. */
  audit(query: { limit?: number; before?: number } = {}): Promise<AuditPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.before !== undefined) params.set('before', String(query.before));
    const qs = params.toString();
    return this.#call('GET', `${API_PATHS.audit}${qs ? `?${qs}` : ''}`);
  }

  /**
   * Starts a load test against the pool's own listener (or an allow-listed `target`): answered
   * at once with the record (status 'running'); follow it with loadTest(id) or the stream.
   * `{ scenario: 'hello', connections: 8, durationSeconds: 5 }`
   */
  startLoadTest(body: LoadTestStartBody): Promise<LoadTestRecord> {
    return this.#call('POST', API_PATHS.loadTests, body);
  }

  /** The same scenario under prefork, worker and event in turn; the MPM is restored at the end. */
  compare(body: LoadTestStartBody): Promise<LoadTestRecord> {
    return this.#call('POST', API_PATHS.loadTestsCompare, body);
  }

  /** One load test: status, live progress while running, then its result (or a compare's table). */
  loadTest(id: string): Promise<LoadTestRecord> {
    return this.#call('GET', API_PATHS.loadTest.replace(':id', encodeURIComponent(id)));
  }

  /** A page of the load-test history, newest first; pass the page's `next` as `before` for older ones. */
  loadTests(query: { limit?: number; before?: number } = {}): Promise<LoadTestPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.before !== undefined) params.set('before', String(query.before));
    const qs = params.toString();
    return this.#call('GET', `${API_PATHS.loadTests}${qs ? `?${qs}` : ''}`);
  }

  /** Aborts a running test: all traffic stops within a second; resolves with the final record. */
  abortLoadTest(id: string): Promise<LoadTestRecord> {
    return this.#call('DELETE', API_PATHS.loadTest.replace(':id', encodeURIComponent(id)));
  }

  /** A single-use ticket for opening the stream where headers cannot be set (browsers). */
  streamTicket(): Promise<StreamTicket> {
    return this.#call('POST', API_PATHS.streamTicket);
  }

  async #call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.url}${API_PREFIX}${path}`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new ForkyardClientError('FY_CLIENT_TIMEOUT', `${method} ${url} did not answer within ${this.#timeoutMs} ms`, null, { cause: err });
      }
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = c?.code ?? c?.message;
      throw new ForkyardClientError('FY_CLIENT_UNREACHABLE', `cannot reach the control plane at ${this.url}${cause ? ` (${cause})` : ''}: is it running?`, null, { cause: err });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw errorFromResponse(res.status, res.statusText, parsed);
    if (parsed === undefined) throw new ForkyardClientError('FY_CLIENT_BAD_RESPONSE', `${method} ${path} answered ${res.status} without a JSON body`, res.status);
    return parsed as T;
  }
}
