/** `POST /api/v1/mpm`: a live switch to another MPM (a new generation; nothing in flight fails). */

import type { FastifyPluginAsync } from 'fastify';
import { DirectivesAppliedSchema, MpmSwitchBodySchema, ProblemSchema, type MpmSwitchBody } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import type { LoadTestManager } from '../loadtests/manager.js';
import { recordChange } from '../plugins/audit.js';
import { ProblemError } from '../plugins/problem.js';

const mpm: FastifyPluginAsync<{ ctx: ControlContext; loadTests?: LoadTestManager }> = async (app, { ctx, loadTests }) => {
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
        // A compare switches the MPM itself between runs; a switch in between would mislabel a run.
        const comparing = loadTests?.comparing;
        if (comparing) throw new ProblemError('FY_BUSY', `a compare load test (${comparing}) is switching the MPM between its runs: wait for it, or abort it with DELETE /api/v1/loadtests/${comparing}`);
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
