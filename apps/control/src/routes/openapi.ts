/** `GET /api/v1/openapi.json`: the OpenAPI 3 document of this API, generated from the route schemas. */

import type { FastifyPluginAsync } from 'fastify';

const openapi: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => reply.type('application/json').send(app.swagger()));
};

export default openapi;
