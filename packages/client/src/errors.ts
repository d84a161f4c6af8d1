/**
 * What a call to the control plane can fail with, as data with stable codes (STYLE.md 6):
 *
 *   ForkyardApiError     the control plane answered with a problem document (4xx/5xx);
 *                        `code` is its stable FY_* code, `errors` every field error
 *   ForkyardClientError  no usable answer: the control plane is unreachable, timed out, or
 *                        answered something that is not JSON (code FY_CLIENT_*)
 */
import { isProblem, type Problem, type ProblemFieldError } from '@forkyard/protocol';

export class ForkyardApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: ProblemFieldError[];
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ForkyardApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.errors = problem.errors;
    this.problem = problem;
  }
}

export type ClientErrorCode = 'FY_CLIENT_UNREACHABLE' | 'FY_CLIENT_TIMEOUT' | 'FY_CLIENT_BAD_RESPONSE' | 'FY_CLIENT_UNSUPPORTED';

export class ForkyardClientError extends Error {
  readonly code: ClientErrorCode;
  /** HTTP status when there was a response. */
  readonly status: number | null;

  constructor(code: ClientErrorCode, message: string, status: number | null = null, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForkyardClientError';
    this.code = code;
    this.status = status;
  }
}

/** The error for a non-2xx response: the problem it carries, or a made-up one from the status. */
export function errorFromResponse(status: number, statusText: string, body: unknown): ForkyardApiError | ForkyardClientError {
  if (isProblem(body)) return new ForkyardApiError(body);
  return new ForkyardClientError('FY_CLIENT_BAD_RESPONSE', `the control plane answered ${status} ${statusText} without a problem document`, status);
}
