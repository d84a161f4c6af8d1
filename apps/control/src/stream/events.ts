/**
 * The pool's events and the audit trail's, as stream events: the engine's payloads with a
 * time stamp, in the protocol's shape. A type error here means the engine grew a field or a
 * reason the protocol does not describe yet.
 */
import type { ChildEvent, ChildExitEvent, EffectiveDirectives, GenerationEvent, MaintenanceLog } from '@forkyard/engine';
import type { AuditEntry, StreamEvent } from '@forkyard/protocol';

type Of<K extends StreamEvent['kind']> = Extract<StreamEvent, { kind: K }>;

export function spawnEvent(e: ChildEvent, at: number): Of<'spawn'> {
  return { kind: 'spawn', at, slot: e.slot, pid: e.pid, generation: e.generation, mpm: e.mpm };
}

export function exitEvent(e: ChildExitEvent, at: number): Of<'exit'> {
  return {
    kind: 'exit',
    at,
    slot: e.slot,
    pid: e.pid,
    generation: e.generation,
    mpm: e.mpm,
    code: e.code,
    signal: e.signal,
    reason: e.reason,
    ...(e.error !== undefined ? { error: e.error } : {}),
  };
}

export function generationEvent(e: GenerationEvent, at: number): Of<'generation'> {
  return { kind: 'generation', at, generation: e.generation, mpm: e.mpm, reason: e.reason };
}

/** Only the directives whose effective value changed. */
export function directivesEvent(e: { before: EffectiveDirectives; after: EffectiveDirectives }, at: number): Of<'directives'> {
  const before = e.before as unknown as Record<string, unknown>;
  const after = e.after as unknown as Record<string, unknown>;
  const changes = Object.keys({ ...before, ...after })
    .filter((k) => before[k] !== after[k])
    .map((directive) => ({ directive, before: before[directive] ?? null, after: after[directive] ?? null }));
  return { kind: 'directives', at, changes };
}

export function logEvent(e: MaintenanceLog, at: number): Of<'log'> {
  return { kind: 'log', at, level: e.level, id: e.id, message: e.message };
}

export function auditEvent(entry: AuditEntry, at: number): Of<'audit'> {
  return { kind: 'audit', at, entry };
}
