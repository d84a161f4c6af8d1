import { describe, expect, it } from 'vitest';
import { formatClock } from '../src/lib/format.js';

describe('formatClock', () => {
  it('matches toLocaleTimeString with the same options', () => {
    for (const t of [0, 1_700_000_000_000, 1_765_000_123_456, Date.UTC(2026, 11, 7, 23, 59, 59)]) {
      expect(formatClock(t)).toBe(new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }));
    }
  });
});
