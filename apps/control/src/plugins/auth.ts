/**
 * Who may do what. Roles: viewer (reads, the stream) and operator (everything). Tokens arrive
 * as `Authorization: Bearer …` and are compared in constant time. Browsers open the stream
 * with a short-lived single-use ticket (`POST /api/v1/stream/ticket`), never a token in a URL.
 * With `openRead` (loopback binds only) loopback clients read without a token.
 *
 * Each route says what it needs in `config.access`; a route without it (the stream) checks
 * for itself through `app.forkyardAuth`.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '@forkyard/protocol';
import type { TokenEntry } from '../store/tokens.js';
import { ProblemError } from './problem.js';

export type Access = 'read' | 'change';

export interface Actor {
  name: string;
  role: Role;
}

/** What the stream route (and any other self-checking route) uses. */
export interface ForkyardAuth {
  /** The role of the request's bearer token, or null (no token or a wrong one). */
  authenticate(request: FastifyRequest): Role | null;
  /** The role a ticket was issued for; null if unknown, used or expired. Works once. */
  redeemTicket(ticket: string): Role | null;
  /** Loopback clients may read without a token. */
  readonly openRead: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    forkyardAuth: ForkyardAuth;
    /** 'audit' (AuditEntry) for each new audit entry; 'loadtest' (a loadtest StreamEvent) for load-test progress; 'stopped' once a graceful stop via the API has finished. */
    forkyardEvents: EventEmitter;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    forkyardActor: Actor | null;
  }
}

export interface AuthOptions {
  tokens: readonly TokenEntry[];
  openRead?: boolean;
  /** Lifetime of a stream ticket (default 30 s). */
  ticketTtlMs?: number;
}

const MAX_TICKETS = 1000;
const DEFAULT_TICKET_TTL_MS = 30_000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export class Authenticator implements ForkyardAuth {
  readonly openRead: boolean;
  readonly #tokens: ReadonlyArray<{ actor: Actor; digest: Buffer }>;
  readonly #tickets = new Map<string, { actor: Actor; expiresAt: number }>();
  readonly #ttl: number;

  constructor(opts: AuthOptions) {
    this.openRead = opts.openRead ?? false;
    this.#ttl = opts.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS;
    this.#tokens = opts.tokens.filter((t) => t.token.length > 0).map((t) => ({ actor: { name: t.name, role: t.role }, digest: digest(t.token) }));
  }

  /**
   * The actor a bearer token belongs to. Every token is compared, whatever matched, and on
   * fixed-length digests, so the time taken says nothing about the token.
   */
  identify(request: FastifyRequest): Actor | null | 'invalid' {
    const header = request.headers.authorization;
    if (header === undefined) return null;
    const m = /^Bearer[ ]+([!-~]{1,512})\s*$/i.exec(header);
    if (!m) return 'invalid';
    const given = digest(m[1]!);
    let found: Actor | null = null;
    for (const t of this.#tokens) if (timingSafeEqual(given, t.digest) && !found) found = t.actor;
    return found ?? 'invalid';
  }

  authenticate(request: FastifyRequest): Role | null {
    const actor = this.identify(request);
    return actor && actor !== 'invalid' ? actor.role : null;
  }

  issueTicket(actor: Actor, now = Date.now()): { ticket: string; expiresAt: number } {
    if (this.#tickets.size >= MAX_TICKETS) this.#sweep(now);
    if (this.#tickets.size >= MAX_TICKETS) throw new ProblemError('FY_TOO_MANY_REQUESTS', 'too many unused stream tickets: use or let expire the ones issued', [], { 'retry-after': String(Math.ceil(this.#ttl / 1000)) });
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.#ttl;
    this.#tickets.set(ticket, { actor, expiresAt });
    return { ticket, expiresAt };
  }

  redeemTicket(ticket: string): Role | null {
    if (typeof ticket !== 'string') return null;
    const entry = this.#tickets.get(ticket);
    if (!entry) return null;
    this.#tickets.delete(ticket);
    return entry.expiresAt > Date.now() ? entry.actor.role : null;
  }

  #sweep(now: number): void {
    for (const [ticket, entry] of this.#tickets) if (entry.expiresAt <= now) this.#tickets.delete(ticket);
  }
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="forkyard"' };
const INVALID_CHALLENGE = { 'www-authenticate': 'Bearer realm="forkyard", error="invalid_token"' };

/** Decorates `app` and checks every route that declares `config.access`. */
export function installAuth(app: FastifyInstance, auth: Authenticator): void {
  if (!app.hasDecorator('forkyardAuth')) app.decorate('forkyardAuth', auth);
  app.decorateRequest('forkyardActor', null);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access) return;
    const actor = auth.identify(request);
    if (actor === 'invalid') throw new ProblemError('FY_UNAUTHORIZED', 'the bearer token is not valid', [], INVALID_CHALLENGE);
    if (actor === null) {
      if (access === 'read' && auth.openRead && isLoopback(request.socket.remoteAddress)) return;
      throw new ProblemError('FY_UNAUTHORIZED', `this needs ${access === 'change' ? 'an operator' : 'a viewer or operator'} token: send Authorization: Bearer <token>`, [], CHALLENGE);
    }
    if (access === 'change' && actor.role !== 'operator') {
      throw new ProblemError('FY_FORBIDDEN', `the ${actor.name} token may only read: changes need an operator token`);
    }
    request.forkyardActor = actor;
  });
}
