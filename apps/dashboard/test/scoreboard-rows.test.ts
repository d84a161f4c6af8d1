import { describe, expect, it } from 'vitest';
import { gridShape, rowLabel, rowLetters } from '../src/features/scoreboard/scoreboard-rows.js';
import { child, snapshot } from './fixtures.js';

describe('gridShape', () => {
  it('has one row per child slot up to ServerLimit, open capacity and headroom marked', () => {
    const snap = snapshot([child(0, '_WKK'), child(2, 'GGGG', 0)], { limits: { serverLimit: 4, threadLimit: 64, threadsPerChild: 4, maxRequestWorkers: 12, maxDaemons: 3 } });
    const shape = gridShape(snap);
    expect(shape.rows.map((r) => r.kind)).toEqual(['child', 'open', 'child', 'beyond']);
    expect(shape.rows[2]!.old).toBe(true);
    expect(shape.columns).toBe(4);
    const p = snap.processes[0]!;
    expect(rowLabel(shape.rows[0]!, p, 4)).toBe('Child pid 1000, generation 1, serving, slots _WKK');
    expect(rowLabel(shape.rows[1]!, undefined, 4)).toBe('Slot 1: open, slots ....');
    expect(rowLetters(undefined, 4)).toBe('....');
  });

  it('widens to an older, wider generation and keys only on identity', () => {
    const a = snapshot([child(0, '____', 1), child(1, 'GGGGGG', 0)]);
    const b = snapshot([child(0, '_W__', 1), child(1, 'GGGGG_', 0)], { time: 99 });
    expect(gridShape(a).columns).toBe(6);
    expect(gridShape(a).key).toBe(gridShape(b).key);
    expect(gridShape(snapshot([child(0, '____', 1, 77)])).key).not.toBe(gridShape(a).key);
  });
});
