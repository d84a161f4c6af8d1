/**
 * `/server-status` on the control plane, byte for byte what the pool renders for the data
 * plane (mod_status's format, `?auto`, `?refresh=N` as a Refresh header), so apache_exporter,
 * Netdata and collectd can scrape either.
 */

import type { FastifyPluginAsync } from 'fastify';
import type { ControlContext } from '../context.js';

const serverStatus: FastifyPluginAsync<{ ctx: ControlContext }> = async (app, { ctx }) => {
  app.get('/server-status', {
    config: { access: 'read' },
    schema: { summary: 'mod_status page (HTML), or its machine-readable form with ?auto', tags: ['status'] },
    handler: async (request, reply) => {
      const url = request.raw.url ?? '';
      const q = url.indexOf('?');
      const page = ctx.pool.renderStatus(q >= 0 ? url.slice(q + 1) : '', request.headers.host ?? '', request.socket.localAddress ?? '');
      if (page.refresh !== undefined) reply.header('refresh', String(page.refresh));
      return reply.code(page.status).type(page.contentType).send(page.body);
    },
  });
};

export default serverStatus;
