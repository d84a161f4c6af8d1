import { describe, expect, it } from 'vitest';
import type { DirectiveTableEntry } from '@forkyard/protocol';
import { draftBody, rangeText } from '../src/features/directives/directive-draft.js';
import { capacityChange } from '../src/lib/capacity.js';

const entry = (name: string, kind: DirectiveTableEntry['kind'], extra: Partial<DirectiveTableEntry> = {}): DirectiveTableEntry => ({
  name,
  kind,
  applies: true,
  mpms: ['prefork', 'worker', 'event'],
  default: kind === 'boolean' ? true : 0,
  apply: 'tick',
  help: '',
  aliases: [],
  ...extra,
});

describe('directive draft', () => {
  const table = [entry('MaxRequestWorkers', 'integer', { min: 0, unit: 'workers' }), entry('KeepAlive', 'boolean'), entry('KeepAliveTimeout', 'duration', { min: 0, unit: 's' })];
  const values = { MaxRequestWorkers: 16, KeepAlive: true, KeepAliveTimeout: 5 };

  it('sends only what differs from the pool, numbers as numbers and the rest as typed', () => {
    expect(draftBody({ MaxRequestWorkers: '16', KeepAlive: 'On', KeepAliveTimeout: '5' }, values, table)).toEqual({});
    expect(draftBody({ MaxRequestWorkers: ' 32 ', KeepAlive: 'Off', KeepAliveTimeout: '500ms' }, values, table)).toEqual({ MaxRequestWorkers: 32, KeepAlive: 'Off', KeepAliveTimeout: '500ms' });
    // Not a number: passed through for the engine to name the error.
    expect(draftBody({ MaxRequestWorkers: 'lots' }, values, table)).toEqual({ MaxRequestWorkers: 'lots' });
  });

  it('describes ranges with their unit', () => {
    expect(rangeText(table[0]!)).toBe('≥ 0 workers');
    expect(rangeText(table[1]!)).toBe('On or Off');
    expect(rangeText(entry('AsyncRequestWorkerFactor', 'number', { exclusiveMin: 0, max: 10 }))).toBe('> 0, ≤ 10');
  });
});

describe('capacityChange', () => {
  it('flags fewer workers, threads or child slots as a drop, with httpd adjustments listed', () => {
    expect(capacityChange({ MaxRequestWorkers: 16, ThreadsPerChild: 4 }, { MaxRequestWorkers: 15, ThreadsPerChild: 5 })).toEqual({
      drops: true,
      lines: ['MaxRequestWorkers 16 → 15 (less capacity)', 'ThreadsPerChild 4 → 5'],
    });
    expect(capacityChange({ MaxRequestWorkers: 16 }, { MaxRequestWorkers: 32 }).drops).toBe(false);
    expect(capacityChange({ StartServers: 3 }, { StartServers: 1 })).toEqual({ drops: false, lines: ['StartServers 3 → 1'] });
  });
});
