/**
 * Directives: read them with the table that describes them, validate a change without
 * applying it, and apply one atomically (PATCH merges, PUT replaces; all or nothing, httpd's
 * adjustments applied and returned as warnings).
 */

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  DEPRECATED_NAMES,
  DIRECTIVES,
  needsNewGeneration,
  parseDirectives,
  validateAndAdjust,
  type DirectiveWarning,
  type Directives,
  type Pool,
} from '@forkyard/engine';
import {
  directivesBodySchema,
  DirectivesAppliedSchema,
  DirectivesStateSchema,
  DirectivesValidationSchema,
  ProblemSchema,
  type DirectiveInput,
  type DirectivesApplied,
  type DirectiveTableEntry,
  type ProblemFieldError,
} from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { recordChange } from '../plugins/audit.js';
import { ProblemError, schemaFieldErrors } from '../plugins/problem.js';

const NAMES = DIRECTIVES.map((d) => d.name);
const ALIASES = Object.keys(DEPRECATED_NAMES);
const BodySchema = directivesBodySchema(NAMES, ALIASES);
const ValidateQuerySchema = Type.Object(
  { mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace')], { default: 'merge' })) },
  { additionalProperties: false },
);

type Body = Record<string, DirectiveInput>;

/**
 * Every field error of a directives body: the schema's (unknown fields, wrong types) and the
 * engine's (ranges, units, "did you mean"), the engine's winning where both name a field.
 */
function bodyErrors(request: FastifyRequest, pool: Pool): ProblemFieldError[] {
  const schema = request.validationError ? schemaFieldErrors((request.validationError as { validation?: [] }).validation ?? [], 'body') : [];
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return schema;
  const engine = parseDirectives(body as Record<string, unknown>, pool.mpm).errors.map((e) => ({ field: e.directive, code: e.code, message: e.message }));
  const named = new Set(engine.map((e) => e.field));
  return [...schema.filter((e) => !named.has(e.field)), ...engine];
}

function checkBody(request: FastifyRequest, pool: Pool): Body {
  const errors = bodyErrors(request, pool);
  if (errors.length > 0) throw new ProblemError('FY_VALIDATION', errors.length === 1 ? errors[0]!.message : `${errors.length} fields are invalid`, errors);
  return request.body as Body;
}

const canonical = (name: string): string => (Object.hasOwn(DEPRECATED_NAMES, name) ? DEPRECATED_NAMES[name]!.name : name);

/** PUT: every directive not in the body goes back to its default (undefined is "not set"). */
function replacement(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [...NAMES, ...ALIASES]) out[name] = undefined;
  return { ...out, ...body };
}

function changed(before: Directives, after: Directives, keys: Iterable<string>): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const names = new Set([...keys].map(canonical));
  for (const name of NAMES) if (before[name] !== after[name]) names.add(name);
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const name of names) {
    b[name] = before[name as keyof Directives];
    a[name] = after[name as keyof Directives];
  }
  return { before: b, after: a };
}

function pickDirectives(d: Directives, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map(canonical).filter((k) => Object.hasOwn(d, k)).map((k) => [k, d[k as keyof Directives]]));
}

const warningsOut = (w: readonly DirectiveWarning[]) => w.map((x) => ({ id: x.id, directive: x.directive, from: x.from, to: x.to, message: x.message }));

function table(pool: Pool): DirectiveTableEntry[] {
  return DIRECTIVES.map((d) => ({
    name: d.name,
    kind: d.kind,
    applies: d.mpms.includes(pool.mpm),
    mpms: [...d.mpms],
    default: d.defaults[pool.mpm],
    ...(d.min !== undefined ? { min: d.min } : {}),
    ...(d.max !== undefined ? { max: d.max } : {}),
    ...(d.exclusiveMin !== undefined ? { exclusiveMin: d.exclusiveMin } : {}),
    ...(d.unit !== undefined ? { unit: d.unit } : {}),
    apply: d.apply,
    help: d.help,
    aliases: ALIASES.filter((a) => DEPRECATED_NAMES[a]!.name === d.name),
  }));
}

const directives: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  const { pool } = ctx;

  app.get('/directives', {
    config: { access: 'read' },
    schema: {
      summary: 'Directive values, effective values after httpd’s adjustments, and the directive table for the current MPM',
      tags: ['directives'],
      response: { 200: DirectivesStateSchema, '4xx': ProblemSchema },
    },
    handler: async () => ({
      mpm: pool.mpm,
      generation: pool.generation,
      values: { ...pool.config.configured },
      effective: { ...pool.directives },
      overrides: { ...ctx.overrides },
      warnings: warningsOut(pool.config.warnings),
      table: table(pool),
    }),
  });

  app.post('/directives/validate', {
    config: { access: 'read' },
    attachValidation: true,
    schema: {
      summary: 'Validate a change without applying it: httpd’s adjustments and warnings, or every field error',
      tags: ['directives'],
      querystring: ValidateQuerySchema,
      body: BodySchema,
      response: { 200: DirectivesValidationSchema, '4xx': ProblemSchema },
    },
    handler: async (request) => {
      const query = request.query as { mode?: 'merge' | 'replace' };
      if (request.validationError && (request.validationError as { validationContext?: string }).validationContext === 'querystring') throw request.validationError;
      const body = checkBody(request, pool);
      const result = validateAndAdjust(body, pool.mpm, query.mode === 'replace' ? undefined : pool.config.configured);
      if (!result.ok) throw new ProblemError('FY_VALIDATION', `${result.errors.length} fields are invalid`, result.errors.map((e) => ({ field: e.directive, code: e.code, message: e.message })));
      const next = { ...pool.config, configured: result.directives, directives: result.effective };
      return {
        ok: true as const,
        mpm: pool.mpm,
        effective: { ...result.effective },
        warnings: warningsOut(result.warnings),
        notes: result.notes,
        newGeneration: needsNewGeneration(pool.config, next),
      };
    },
  });

  const apply = (mode: 'patch' | 'put') => async (request: FastifyRequest): Promise<DirectivesApplied> => {
    const body = checkBody(request, pool);
    const beforeConfigured = pool.config.configured;
    return recordChange(ctx, request, `directives.${mode}`, { generation: pool.generation, ...pickDirectives(beforeConfigured, Object.keys(body)) }, async () => {
      const r = await pool.applyDirectives(mode === 'put' ? replacement(body) : body);
      const given = Object.fromEntries(Object.entries(body).map(([k, v]) => [canonical(k), v]));
      const overrides = mode === 'put' ? given : { ...ctx.overrides, ...given };
      ctx.overrides = overrides;
      const diff = changed(beforeConfigured, pool.config.configured, Object.keys(body));
      return {
        result: {
          mpm: pool.mpm,
          generation: pool.generation,
          newGeneration: r.newGeneration,
          effective: { ...r.directives },
          warnings: warningsOut(r.warnings),
          notes: pool.config.notes,
        },
        after: { ...diff.after, generation: pool.generation, newGeneration: r.newGeneration },
        before: diff.before,
        persist: { directives: overrides },
      };
    }, body);
  };

  const applySchema = (summary: string) => ({
    summary,
    tags: ['directives'],
    body: BodySchema,
    response: { 200: DirectivesAppliedSchema, '4xx': ProblemSchema, '5xx': ProblemSchema },
  });
  app.patch('/directives', {
    config: { access: 'change' },
    attachValidation: true,
    schema: applySchema('Apply a change atomically, merged into the current directives; says whether a new generation rolled'),
    handler: apply('patch'),
  });
  app.put('/directives', {
    config: { access: 'change' },
    attachValidation: true,
    schema: applySchema('Replace the directives atomically (those not given return to their defaults)'),
    handler: apply('put'),
  });
};

export default directives;
