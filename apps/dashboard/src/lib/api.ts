/**
 * The REST calls the dashboard makes, through @forkyard/client against the page's own origin
 * (the control plane serves the dashboard). Failures are rethrown as ApiError with the problem
 * document's field errors, so forms can show each next to its field.
 */
import { ForkyardApiError, ForkyardClient, ForkyardClientError } from '@forkyard/client';
import {
  API_PREFIX,
  API_PATHS,
  type AuditPage,
  type LoadTestPage,
  type LoadTestRecord,
  type LoadTestStartBody,
  type ChildAction,
  type ChildActionResult,
  type DirectiveInput,
  type DirectivesApplied,
  type DirectivesState,
  type DirectivesValidation,
  type LifecycleResult,
  type MpmName,
  type Problem,
  type Role,
} from '@forkyard/protocol';
import { dashboardStore } from './store.js';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  constructor(status: number, message: string, problem: Problem | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

let cached: { token: string | null; client: ForkyardClient } | null = null;

function client(): ForkyardClient {
  const { token } = dashboardStore.getState().session;
  if (!cached || cached.token !== token) cached = { token, client: new ForkyardClient({ url: window.location.origin, ...(token ? { token } : {}) }) };
  return cached.client;
}

async function call<T>(run: (c: ForkyardClient) => Promise<T>): Promise<T> {
  try {
    return await run(client());
  } catch (err) {
    if (err instanceof ForkyardApiError) throw new ApiError(err.status, `${err.title}: ${err.message}`, err.problem);
    if (err instanceof ForkyardClientError) throw new ApiError(err.status ?? 0, err.message, null);
    throw err;
  }
}

/**
 * A call whose answer may come too late to matter (validate-as-you-type): the client takes no
 * AbortSignal, so an aborted call's result is dropped here instead.
 */
async function droppable<T>(run: (c: ForkyardClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const result = await call(run);
  if (signal?.aborted) throw new DOMException('superseded', 'AbortError');
  return result;
}

export const getDirectives = (signal?: AbortSignal) => droppable<DirectivesState>((c) => c.directives(), signal);
export const validateDirectives = (body: Record<string, DirectiveInput>, signal?: AbortSignal) => droppable<DirectivesValidation>((c) => c.validateDirectives(body), signal);
export const patchDirectives = (body: Record<string, DirectiveInput>) => call<DirectivesApplied>((c) => c.applyDirectives(body));
export const switchMpm = (mpm: MpmName) => call<DirectivesApplied>((c) => c.switchMpm(mpm));
export const gracefulRestart = () => call<LifecycleResult>((c) => c.restart({ graceful: true }));
export const startLoadTest = (body: LoadTestStartBody) => call<LoadTestRecord>((c) => (body.compare ? c.compare(body) : c.startLoadTest(body)));
export const abortLoadTest = (id: string) => call<LoadTestRecord>((c) => c.abortLoadTest(id));
export const loadTestHistory = (limit = 8) => call<LoadTestPage>((c) => c.loadTests({ limit }));
export const recentAudit = (limit = 50) => call<AuditPage>((c) => c.audit({ limit }));
export const childAction = (pid: number, action: ChildAction) => call<ChildActionResult>((c) => c.childAction(pid, action));

/**
 * The role a token carries. The API has no "who am I" route, so this asks for an MPM switch
 * with an empty body: authorisation is checked before the body, so a viewer token gets 403, an
 * operator token 400 (the body is invalid; nothing happens), a wrong token 401.
 */
export async function probeRole(token: string): Promise<Role> {
  let res: Response;
  try {
    res = await fetch(`${API_PREFIX}${API_PATHS.mpm}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  } catch {
    throw new ApiError(0, 'the control plane cannot be reached', null);
  }
  if (res.status === 403) return 'viewer';
  if (res.status === 400) return 'operator';
  if (res.status === 401) throw new ApiError(401, 'this token is not valid for this control plane', null);
  throw new ApiError(res.status, `unexpected answer ${res.status} while checking the token`, null);
}
