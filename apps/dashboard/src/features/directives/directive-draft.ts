/**
 * The editor's draft: text per directive as typed, turned into the body the API takes
 * (only what differs from the pool's values). Pure.
 */
import type { DirectiveInput, DirectiveTableEntry, DirectiveMap } from '@forkyard/protocol';

export type Draft = Record<string, string>;

export function shownValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'On' : 'Off';
  return v === undefined || v === null ? '' : String(v);
}

/** The body of a change: typed numbers as numbers, everything else as text for the engine to parse. */
export function draftBody(draft: Draft, values: DirectiveMap, table: readonly DirectiveTableEntry[]): Record<string, DirectiveInput> {
  const body: Record<string, DirectiveInput> = {};
  for (const entry of table) {
    const text = draft[entry.name];
    if (text === undefined) continue;
    const trimmed = text.trim();
    if (trimmed === shownValue(values[entry.name])) continue;
    if ((entry.kind === 'integer' || entry.kind === 'number') && trimmed !== '' && Number.isFinite(Number(trimmed))) body[entry.name] = Number(trimmed);
    else body[entry.name] = trimmed;
  }
  return body;
}

export function rangeText(e: DirectiveTableEntry): string {
  const unit = e.unit ? ` ${e.unit}` : '';
  if (e.kind === 'boolean') return 'On or Off';
  const lo = e.min !== undefined ? `≥ ${e.min}` : e.exclusiveMin !== undefined ? `> ${e.exclusiveMin}` : '';
  const hi = e.max !== undefined ? `≤ ${e.max}` : '';
  return [lo, hi].filter(Boolean).join(', ') + unit;
}
