/**
 * Errors on the wire: RFC 9457 problem details (`application/problem+json`) with a stable
 * `code` and every field error, so a client can show each one next to its field.
 *
 *   { "type": "urn:forkyard:problem:FY_VALIDATION", "title": "Invalid request", "status": 400,
 *     "code": "FY_VALIDATION", "detail": "2 fields are invalid",
 *     "errors": [{ "field": "StartServers", "code": "FY_DIRECTIVE_RANGE", "message": "…" }, …] }
 *
 * `code` never changes once published; `title` is the code's fixed human name; `detail` says
 * what happened this time.
 */
import { Type, type Static } from '@sinclair/typebox';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Every problem code the control plane answers with, its HTTP status and its title. */
export const PROBLEMS = {
  FY_VALIDATION: { status: 400, title: 'Invalid request' },
  FY_BAD_JSON: { status: 400, title: 'Malformed JSON body' },
  FY_UNAUTHORIZED: { status: 401, title: 'Authentication required' },
  FY_FORBIDDEN: { status: 403, title: 'Operator role required' },
  FY_LOADTEST_TARGET_REFUSED: { status: 403, title: 'Load-test target not allowed' },
  FY_NOT_FOUND: { status: 404, title: 'Not found' },
  FY_CHILD_UNKNOWN: { status: 404, title: 'No such child' },
  FY_BUSY: { status: 409, title: 'Another change is in progress' },
  FY_STATE: { status: 409, title: 'The pool is not running' },
  FY_LOADTEST_ENDED: { status: 409, title: 'The load test has already ended' },
  FY_BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  FY_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  FY_TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests' },
  FY_INTERNAL: { status: 500, title: 'Internal error' },
  FY_GENERATION_FAILED: { status: 503, title: 'The new generation did not start' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The `type` URI of a problem code. */
export function problemType(code: ProblemCode): string {
  return `urn:forkyard:problem:${code}`;
}

export const ProblemFieldErrorSchema = Type.Object({
  /** A body field (`StartServers`, `mpm`), a path parameter (`pid`), a query parameter, or '' for the whole body. */
  field: Type.String(),
  /** Stable: FY_DIRECTIVE_UNKNOWN, FY_DIRECTIVE_TYPE, FY_DIRECTIVE_RANGE, FY_UNKNOWN_FIELD, FY_TYPE, FY_REQUIRED, FY_RANGE, FY_FORMAT. */
  code: Type.String(),
  message: Type.String(),
});
export type ProblemFieldError = Static<typeof ProblemFieldErrorSchema>;

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String(),
    detail: Type.String(),
    errors: Type.Array(ProblemFieldErrorSchema),
  },
  { description: 'RFC 9457 problem details with a stable code and every field error' },
);
export type Problem = Static<typeof ProblemSchema>;

export function makeProblem(code: ProblemCode, detail: string, errors: ProblemFieldError[] = []): Problem {
  const { status, title } = PROBLEMS[code];
  return { type: problemType(code), title, status, code, detail, errors };
}

/** True for a parsed body that is a problem document (what @forkyard/client rethrows). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p.code === 'string' && typeof p.status === 'number' && typeof p.title === 'string' && Array.isArray(p.errors);
}
