/**
 * Every change goes through `recordChange`: it runs the pool call, then records who did what,
 * the state before and after, and the result (ok or the problem code) in the store — in the
 * same transaction as the configuration it persists — and announces the entry on the event
 * bus ('audit'), which the stream forwards.
 */

import type { FastifyRequest } from 'fastify';
import type { AuditEntry } from '@forkyard/protocol';
import type { ControlContext } from '../context.js';
import type { StoredConfig } from '../store/store.js';
import { engineProblem } from './problem.js';

export interface ChangeOutcome<T> {
  result: T;
  after: unknown;
  /** Overrides the `before` given to recordChange, once the change shows what it touched. */
  before?: unknown;
  /** Configuration to persist with the audit entry (only for applied changes). */
  persist?: StoredConfig;
}

export async function recordChange<T>(
  ctx: ControlContext,
  request: FastifyRequest,
  action: string,
  before: unknown,
  run: () => Promise<ChangeOutcome<T>>,
  attempted?: unknown,
): Promise<T> {
  const actor = request.forkyardActor?.name ?? 'anonymous';
  let outcome: ChangeOutcome<T>;
  try {
    outcome = await run();
  } catch (err) {
    const problem = engineProblem(err);
    announce(ctx, ctx.store.recordChange({ actor, action, before, after: attempted === undefined ? null : { attempted }, result: problem?.code ?? 'FY_INTERNAL', detail: (err as Error).message }));
    throw problem ?? err;
  }
  announce(ctx, ctx.store.recordChange({ actor, action, before: outcome.before ?? before, after: outcome.after, result: 'ok' }, outcome.persist));
  return outcome.result;
}

function announce(ctx: ControlContext, entry: AuditEntry): void {
  ctx.events.emit('audit', entry);
}
