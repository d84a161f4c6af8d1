/**
 * Every error leaves as an `application/problem+json` document with a stable code and every
 * field error (protocol/problem.ts). Client mistakes — malformed JSON, wrong types, unknown
 * fields, oversized bodies, unknown routes — are 4xx; only a bug here is a 500.
 */

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { makeProblem, PROBLEM_CONTENT_TYPE, type ProblemCode, type ProblemFieldError } from '@forkyard/protocol';
import { PoolConfigError, PoolError } from '@forkyard/engine';

export class ProblemError extends Error {
  readonly code: ProblemCode;
  readonly errors: ProblemFieldError[];
  readonly headers: Record<string, string>;
  constructor(code: ProblemCode, detail: string, errors: ProblemFieldError[] = [], headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.code = code;
    this.errors = errors;
    this.headers = headers;
  }
}

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Field errors of a failed schema validation, one per field and problem. */
export function schemaFieldErrors(errors: readonly AjvLikeError[], part: string): ProblemFieldError[] {
  const out: ProblemFieldError[] = [];
  const seen = new Set<string>();
  // A union's branches each report a failure; the union's own error says it once.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (unionPaths.has(e.instancePath) && e.keyword !== 'anyOf') continue;
    const path = e.instancePath.split('/').slice(1).map(unescapePointer);
    let field = path.join('.');
    let code = 'FY_INVALID';
    let message = `${field || part} ${e.message ?? 'is invalid'}`;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = String(e.params.additionalProperty);
        field = field ? `${field}.${extra}` : extra;
        code = 'FY_UNKNOWN_FIELD';
        message = `unknown field "${extra}": remove it`;
        break;
      }
      case 'required': {
        const missing = String(e.params.missingProperty);
        field = field ? `${field}.${missing}` : missing;
        code = 'FY_REQUIRED';
        message = `"${missing}" is required`;
        break;
      }
      case 'type':
        code = 'FY_TYPE';
        message = `${field || part} must be ${articled(String(e.params.type))}`;
        break;
      case 'anyOf': {
        // A union of constants (an enum): name the allowed values.
        const branches = errors.filter((b) => b.instancePath === e.instancePath && b.keyword !== 'anyOf');
        const allowed = branches.every((b) => b.keyword === 'const') ? branches.map((b) => JSON.stringify(b.params.allowedValue)) : [];
        code = allowed.length > 0 ? 'FY_VALUE' : 'FY_TYPE';
        message = allowed.length > 0 ? `${field || part} must be one of ${allowed.join(', ')}` : `${field || part} has the wrong type`;
        break;
      }
      case 'const':
      case 'enum':
        code = 'FY_VALUE';
        message = `${field || part} must be ${e.keyword === 'const' ? JSON.stringify(e.params.allowedValue) : `one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`}`;
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'minLength':
      case 'maxLength':
      case 'minProperties':
      case 'maxProperties':
      case 'minItems':
      case 'maxItems':
        code = 'FY_RANGE';
        message = `${field || part} ${e.message ?? 'is out of range'}`;
        break;
      case 'pattern':
      case 'format':
        code = 'FY_FORMAT';
        break;
    }
    const key = `${field}\0${code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field: part === 'body' ? field : field ? `${part}.${field}` : part, code, message });
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function articled(type: string): string {
  return type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

/** Fastify's own client errors, by code, onto ours. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'FY_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'FY_BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'FY_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'FY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'FY_VALIDATION',
  FST_ERR_CTP_INVALID_TYPE: 'FY_UNSUPPORTED_MEDIA_TYPE',
};

/** Engine errors thrown by a pool call, as problems. */
export function engineProblem(err: unknown): ProblemError | null {
  if (err instanceof ProblemError) return err;
  if (err instanceof PoolConfigError) {
    return new ProblemError('FY_VALIDATION', err.errors.length === 1 ? err.errors[0]!.message : `${err.errors.length} fields are invalid`, err.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })));
  }
  if (err instanceof PoolError) return new ProblemError(err.code, err.message);
  return null;
}

export function toProblem(err: unknown): ProblemError {
  const engine = engineProblem(err);
  if (engine) return engine;
  const e = err as FastifyError & { validationContext?: string };
  if (e.validation) {
    const errors = schemaFieldErrors(e.validation as AjvLikeError[], e.validationContext ?? 'body');
    return new ProblemError('FY_VALIDATION', errors.length === 1 ? errors[0]!.message : `${errors.length} fields are invalid`, errors);
  }
  const mapped = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new ProblemError(mapped, e.message);
  // JSON bodies with __proto__ or constructor.prototype (secure-json-parse) and other parse errors.
  if (e instanceof SyntaxError || /prototype property/.test(e.message ?? '')) return new ProblemError('FY_BAD_JSON', `the body is not valid JSON: ${e.message}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code: ProblemCode = e.statusCode === 404 ? 'FY_NOT_FOUND' : e.statusCode === 413 ? 'FY_BODY_TOO_LARGE' : e.statusCode === 415 ? 'FY_UNSUPPORTED_MEDIA_TYPE' : 'FY_VALIDATION';
    return new ProblemError(code, e.message);
  }
  return new ProblemError('FY_INTERNAL', 'an internal error occurred; the details are in the control plane log');
}

export function sendProblem(reply: FastifyReply, problem: ProblemError): FastifyReply {
  const body = makeProblem(problem.code, problem.message, problem.errors);
  return reply.code(body.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Installs the error and not-found handlers on `app` (an encapsulated context). */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(err);
    if (problem.code === 'FY_INTERNAL') request.log.error({ err }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    sendProblem(reply, new ProblemError('FY_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
