/** The children: a list, and per-child actions by pid (recycle gracefully, or kill now). */

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  ChildActionResultSchema,
  ChildListSchema,
  ChildParamsSchema,
  ProblemSchema,
  type ChildAction,
  type ChildActionResult,
  type ChildParams,
} from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { recordChange } from '../plugins/audit.js';
import { snapshotOf } from '../snapshot.js';

const children: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  const { pool } = ctx;

  app.get('/children', {
    config: { access: 'read' },
    schema: { summary: 'The child processes, with their slots’ status letters', tags: ['children'], response: { 200: ChildListSchema, '4xx': ProblemSchema } },
    handler: async () => {
      const snap = pool.readImage((image) => snapshotOf(image));
      return {
        mpm: snap.mpm,
        generation: snap.generation,
        children: snap.processes
          .filter((p) => p.pid !== 0)
          .map((p) => ({ slot: p.slot, pid: p.pid, generation: p.generation, quiescing: p.quiescing, letters: p.letters, requests: p.requests, startedAt: p.startedAt })),
      };
    },
  });

  const act = (action: ChildAction) => async (request: FastifyRequest<{ Params: ChildParams }>): Promise<ChildActionResult> => {
    const { pid } = request.params;
    const slot = pool.readImage((image) => image.processes.findIndex((p) => p.pid === pid));
    return recordChange(ctx, request, `child.${action}`, { pid, slot: slot >= 0 ? slot : null, generation: pool.generation }, async () => {
      await pool.childAction(pid, action);
      return { result: { pid, action, exited: true }, after: { pid, exited: true } };
    });
  };
  const schema = (summary: string) => ({ summary, tags: ['children'], params: ChildParamsSchema, response: { 200: ChildActionResultSchema, '4xx': ProblemSchema } });
  app.post('/children/:pid/recycle', { config: { access: 'change' }, schema: schema('Recycle a child: it finishes what it holds, then exits; maintenance replaces it as needed'), handler: act('recycle') });
  app.post('/children/:pid/kill', { config: { access: 'change' }, schema: schema('Kill a child now (SIGKILL): its in-flight requests fail'), handler: act('kill') });
};

export default children;
