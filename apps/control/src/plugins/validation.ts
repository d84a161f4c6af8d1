/**
 * Request validation with two Ajv instances: bodies are checked as sent (no type coercion, no
 * silently removed fields, every error reported), while path and query parameters, which are
 * always strings on the wire, are coerced to the schema's types.
 */

import { Ajv, type Options } from 'ajv';
import type { FastifyInstance, FastifySchema } from 'fastify';

const common: Options = { allErrors: true, strict: false, useDefaults: true, removeAdditional: false };

export function installValidation(app: FastifyInstance): void {
  const bodies = new Ajv({ ...common, coerceTypes: false });
  const params = new Ajv({ ...common, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : params).compile(schema as FastifySchema & object));
}
