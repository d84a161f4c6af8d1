/**
 * apachectl's verbs over REST: graceful restart (SIGUSR1), restart (SIGHUP) and graceful stop
 * (SIGWINCH). A graceful stop answers 202 at once and announces 'stopped' on the event bus when
 * the last child has gone (the CLI exits then).
 */

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { LifecycleResultSchema, ProblemSchema, type LifecycleAction, type LifecycleResult } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import { recordChange } from '../plugins/audit.js';

const lifecycle: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  const { pool } = ctx;
  const roll = (action: LifecycleAction, run: () => Promise<unknown>) => async (request: FastifyRequest): Promise<LifecycleResult> =>
    recordChange(ctx, request, `pool.${action}`, { mpm: pool.mpm, generation: pool.generation }, async () => {
      await run();
      return { result: { action, mpm: pool.mpm, generation: pool.generation, newGeneration: true }, after: { mpm: pool.mpm, generation: pool.generation } };
    });
  const schema = (summary: string) => ({ summary, tags: ['pool'], response: { 200: LifecycleResultSchema, 202: LifecycleResultSchema, '4xx': ProblemSchema, '5xx': ProblemSchema } });

  app.post('/pool/graceful-restart', {
    config: { access: 'change' },
    schema: schema('Graceful restart: a new generation; old children finish what they hold, then exit'),
    handler: roll('graceful-restart', () => pool.gracefulRestart()),
  });
  app.post('/pool/restart', {
    config: { access: 'change' },
    schema: schema('Hard restart: children stop now, the scoreboard is zeroed, a new generation starts'),
    handler: roll('restart', () => pool.restart()),
  });
  app.post('/pool/graceful-stop', {
    config: { access: 'change' },
    schema: schema('Graceful stop: no new connections; in-flight requests finish (bounded by GracefulShutdownTimeout), then the pool stops'),
    handler: async (request, reply) => {
      const result = await recordChange(ctx, request, 'pool.graceful-stop', { mpm: pool.mpm, generation: pool.generation }, async () => ({
        result: { action: 'graceful-stop' as const, mpm: pool.mpm, generation: pool.generation, newGeneration: false },
        after: { stopping: true },
      }));
      void pool.gracefulStop().then(
        () => ctx.events.emit('stopped'),
        (err: unknown) => {
          request.log.error({ err }, 'graceful stop failed');
          ctx.events.emit('stopped');
        },
      );
      return reply.code(202).send(result);
    },
  });
};

export default lifecycle;
