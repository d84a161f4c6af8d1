/** `GET /api/v1/audit`: the audit trail, newest first, paged by id. */

import type { FastifyPluginAsync } from 'fastify';
import { AuditPageSchema, AuditQuerySchema, ProblemSchema, type AuditQuery } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';

const audit: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  app.get<{ Querystring: AuditQuery }>('/audit', {
    config: { access: 'read' },
    schema: { summary: 'The audit trail of every change (actor, time, action, before, after, result), newest first', tags: ['audit'], querystring: AuditQuerySchema, response: { 200: AuditPageSchema, '4xx': ProblemSchema } },
    handler: async (request) => ctx.store.auditPage(request.query.limit ?? 50, request.query.before),
  });
};

export default audit;
