/** `POST /api/v1/mpm`: a live switch to another MPM (a new generation; nothing in flight fails). */

import type { FastifyPluginAsync } from 'fastify';
import { DirectivesAppliedSchema, MpmSwitchBodySchema, ProblemSchema, type MpmSwitchBody } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { recordChange } from '../plugins/audit.js';

const mpm: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  const { pool } = ctx;
  app.post<{ Body: MpmSwitchBody }>('/mpm', {
    config: { access: 'change' },
    schema: {
      summary: 'Switch the MPM live: a new generation of children under the new model',
      tags: ['pool'],
      body: MpmSwitchBodySchema,
      response: { 200: DirectivesAppliedSchema, '4xx': ProblemSchema, '5xx': ProblemSchema },
    },
    handler: async (request) => {
      const target = request.body.mpm;
      return recordChange(ctx, request, 'mpm.switch', { mpm: pool.mpm, generation: pool.generation }, async () => {
        const r = await pool.switchMpm(target);
        return {
          result: {
            mpm: pool.mpm,
            generation: pool.generation,
            newGeneration: r.newGeneration,
            effective: { ...r.directives },
            warnings: r.warnings.map((w) => ({ id: w.id, directive: w.directive, from: w.from, to: w.to, message: w.message })),
            notes: pool.config.notes,
          },
          after: { mpm: pool.mpm, generation: pool.generation },
          persist: { mpm: pool.mpm },
        };
      }, { mpm: target });
    },
  });
};

export default mpm;
