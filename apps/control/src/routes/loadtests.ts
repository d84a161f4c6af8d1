/**
 * Load tests: start one (or a compare of the three MPMs), follow it (GET, or `loadtest` events
 * on /stream), list the history, abort. Starts and aborts are changes: operator only, audited.
 */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  API_PREFIX,
  LoadTestPageSchema,
  LoadTestParamsSchema,
  LoadTestQuerySchema,
  LoadTestRecordSchema,
  LoadTestStartBodySchema,
  ProblemSchema,
  type LoadTestParams,
  type LoadTestQuery,
  type LoadTestRecord,
} from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import type { LoadTestManager } from '../loadtests/manager.js';
import { recordChange } from '../plugins/audit.js';
import { ProblemError } from '../plugins/problem.js';

const loadtests: FastifyPluginAsync<{ ctx: ControlContext; manager: LoadTestManager }> = async (app, { ctx, manager }) => {
  const start = (compareRoute: boolean) => async (request: FastifyRequest, reply: FastifyReply): Promise<LoadTestRecord> => {
    // The body schema documents the route; the checks are validateSpec's (every field error).
    const parsed = manager.parse(request.body, compareRoute);
    const action = parsed.compare ? 'loadtest.compare' : 'loadtest.start';
    const params = { scenario: parsed.spec.scenario, spec: parsed.spec, target: parsed.target };
    const record = await recordChange(ctx, request, action, { mpm: ctx.pool.mpm, running: manager.running }, async () => {
      const r = manager.start(parsed, request.forkyardActor?.name ?? 'anonymous');
      return { result: r, after: { id: r.id, ...params } };
    }, params);
    reply.code(202).header('location', `${API_PREFIX}/loadtests/${record.id}`);
    return record;
  };
  const startSchema = (summary: string) => ({
    summary,
    tags: ['loadtests'],
    body: LoadTestStartBodySchema,
    response: { 202: LoadTestRecordSchema, '4xx': ProblemSchema, '5xx': ProblemSchema },
  });

  app.post('/loadtests', {
    config: { access: 'change' },
    attachValidation: true,
    schema: startSchema('Start a load test against the pool’s own listener (or an allow-listed target); progress arrives on /stream as loadtest events'),
    handler: start(false),
  });
  app.post('/loadtests/compare', {
    config: { access: 'change' },
    attachValidation: true,
    schema: startSchema('Run the same scenario under prefork, worker and event in turn (switching live, waiting for each switch), then restore the MPM'),
    handler: start(true),
  });

  app.get<{ Querystring: LoadTestQuery }>('/loadtests', {
    config: { access: 'read' },
    schema: { summary: 'Load-test history, newest first, paged by seq', tags: ['loadtests'], querystring: LoadTestQuerySchema, response: { 200: LoadTestPageSchema, '4xx': ProblemSchema } },
    handler: async (request) => ctx.store.loadTests.page(request.query.limit ?? 20, request.query.before),
  });

  app.get<{ Params: LoadTestParams }>('/loadtests/:id', {
    config: { access: 'read' },
    schema: { summary: 'One load test: status, live progress while running, result (or a compare’s runs and table)', tags: ['loadtests'], params: LoadTestParamsSchema, response: { 200: LoadTestRecordSchema, '4xx': ProblemSchema } },
    handler: async (request) => {
      const record = manager.get(request.params.id);
      if (!record) throw new ProblemError('FY_NOT_FOUND', `no load test ${request.params.id}`);
      return record;
    },
  });

  app.delete<{ Params: LoadTestParams }>('/loadtests/:id', {
    config: { access: 'change' },
    schema: { summary: 'Abort a running load test (or compare): all traffic stops within a second; answers with the final record', tags: ['loadtests'], params: LoadTestParamsSchema, response: { 200: LoadTestRecordSchema, '4xx': ProblemSchema, '5xx': ProblemSchema } },
    handler: async (request) => {
      const { id } = request.params;
      const before = manager.get(id);
      if (!before) throw new ProblemError('FY_NOT_FOUND', `no load test ${id}`);
      return recordChange(ctx, request, 'loadtest.abort', { id, kind: before.kind, status: before.status, scenario: before.scenario }, async () => {
        const record = await manager.abort(id);
        return { result: record, after: { id, status: record.status } };
      });
    },
  });
};

export default loadtests;
