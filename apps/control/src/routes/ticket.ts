/** `POST /api/v1/stream/ticket`: a short-lived single-use ticket for opening the stream from a browser. */

import type { FastifyPluginAsync } from 'fastify';
import { ProblemSchema, StreamTicketSchema } from '@forkyard/protocol';
import type { Authenticator } from '../plugins/auth.js';
import { ProblemError } from '../plugins/problem.js';

const ticket: FastifyPluginAsync<{ auth: Authenticator }> = async (app, { auth }) => {
  app.post('/stream/ticket', {
    config: { access: 'read' },
    schema: { summary: 'Issue a single-use stream ticket (for browsers, which cannot set headers on a WebSocket)', tags: ['stream'], response: { 200: StreamTicketSchema, '4xx': ProblemSchema } },
    handler: async (request) => {
      // Open reads let a loopback client read without a token, but a ticket stands for one.
      if (!request.forkyardActor) throw new ProblemError('FY_UNAUTHORIZED', 'a stream ticket needs a viewer or operator token: send Authorization: Bearer <token>', [], { 'www-authenticate': 'Bearer realm="forkyard"' });
      return auth.issueTicket(request.forkyardActor);
    },
  });
};

export default ticket;
