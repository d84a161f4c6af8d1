/**
 * What a change does to the pool's capacity, from the effective directives before and after
 * (httpd's adjustments included): the lines a confirmation lists. Pure.
 */
import type { DirectiveMap } from '@forkyard/protocol';

const WATCHED = ['MaxRequestWorkers', 'ThreadsPerChild', 'ServerLimit', 'StartServers', 'MinSpareThreads', 'MinSpareServers'] as const;

export interface CapacityChange {
  drops: boolean;
  lines: string[];
}

export function capacityChange(before: DirectiveMap, after: DirectiveMap): CapacityChange {
  const lines: string[] = [];
  let drops = false;
  for (const name of WATCHED) {
    const a = before[name];
    const b = after[name];
    if (typeof a !== 'number' || typeof b !== 'number' || a === b) continue;
    // Spare and start-up figures only shape how fast the pool grows; these three cap it.
    const less = b < a && (name === 'MaxRequestWorkers' || name === 'ThreadsPerChild' || name === 'ServerLimit');
    if (less) drops = true;
    lines.push(`${name} ${a} → ${b}${less ? ' (less capacity)' : ''}`);
  }
  return { drops, lines };
}
