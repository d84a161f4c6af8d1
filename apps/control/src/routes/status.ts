/**
 * `GET /api/v1/status`: the whole scoreboard as a snapshot (protocol/snapshot.ts), the requests
 * in flight with their elapsed time, the alerts that hold now and the last RequestTimeLimit
 * forensics.
 */

import type { FastifyPluginAsync } from 'fastify';
import { inFlightRequests, ProblemSchema, StatusResponseSchema } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { snapshotOf } from '../snapshot.js';

const status: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  app.get('/status', {
    config: { access: 'read' },
    schema: {
      summary: 'Status snapshot: globals, counts, every child and thread slot (in-flight request and its start), accept queue',
      tags: ['status'],
      response: { 200: StatusResponseSchema, '4xx': ProblemSchema },
    },
    handler: async () => {
      const snapshot = ctx.pool.readImage((image) => snapshotOf(image));
      return { ...snapshot, inFlight: inFlightRequests(snapshot), alerts: ctx.pool.alerts(), forensics: ctx.pool.forensics().reverse() };
    },
  });
};

export default status;
