/**
 * The painter draws on a canvas holding only the rows in view: which rows it draws, where on
 * the canvas, and where the canvas sits, recorded from a stand-in 2D context.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScoreboardPainter, type Palette } from '../src/features/scoreboard/scoreboard-painter.js';
import type { RowShape } from '../src/features/scoreboard/scoreboard-rows.js';

interface Draw {
  /** Destination x and y of a cell drawn from the sprites. */
  x: number;
  y: number;
}

function fakeCanvas() {
  const draws: Draw[] = [];
  const ctx = {
    drawImage: (_img: unknown, _sx: number, _sy: number, _sw: number, _sh: number, dx: number, dy: number) => draws.push({ x: dx, y: dy }),
    clearRect: () => undefined,
    fillRect: () => undefined,
    fillText: () => undefined,
    strokeRect: () => undefined,
    setLineDash: () => undefined,
    setTransform: () => undefined,
  };
  const canvas = { width: 0, height: 0, style: {} as Record<string, string>, getContext: () => ctx };
  return { canvas, draws };
}

const PALETTE: Palette = { fills: [], text: [], beyond: '#ccc', outline: '#000', pinned: '#06f', font: 'monospace' };
const ROW_HEIGHT = 18;
const CELL = 10;
const rows: RowShape[] = Array.from({ length: 64 }, (_, slot) => ({ slot, kind: 'child', pid: 1000 + slot, generation: 1, old: false }));

describe('scoreboard painter', () => {
  beforeEach(() => {
    // The sprites are drawn on a canvas of their own.
    (globalThis as { document?: unknown }).document = { createElement: () => fakeCanvas().canvas };
  });
  afterEach(() => {
    delete (globalThis as { document?: unknown }).document;
  });

  const setUp = (dpr = 1) => {
    const { canvas, draws } = fakeCanvas();
    const painter = new ScoreboardPainter(canvas as unknown as HTMLCanvasElement);
    painter.configure({ rows, columns: 4, threadsPerChild: 4, cell: CELL, rowHeight: ROW_HEIGHT }, PALETTE, dpr);
    return { canvas, draws, painter };
  };
  /** The grid rows a paint drew, from where their cells landed on the canvas. */
  const rowsDrawn = (draws: Draw[], first: number) => [...new Set(draws.map((d) => first + d.y / ROW_HEIGHT))];

  it('holds the rows in view: the canvas is their height, placed at the first of them, and draws only them', () => {
    const { canvas, draws, painter } = setUp();
    expect(painter.setViewport(30, 10)).toBe(true);
    expect(canvas.height).toBe(10 * ROW_HEIGHT);
    expect(canvas.style.transform).toBe(`translateY(${30 * ROW_HEIGHT}px)`);
    expect(painter.paint(() => '_W_K')).toBe(40);
    expect(rowsDrawn(draws, 30)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    expect(draws.filter((d) => d.y === 0).map((d) => d.x)).toEqual([0, 10, 20, 30]);
  });

  it('draws again only the cells that changed while the view stays, and every row in view once it moves', () => {
    const { draws, painter } = setUp();
    painter.setViewport(0, 5);
    painter.paint(() => '____');
    draws.length = 0;
    expect(painter.paint((row) => (row.slot === 2 ? '_W__' : '____'))).toBe(1);
    expect(draws).toEqual([{ x: CELL, y: 2 * ROW_HEIGHT }]);
    expect(painter.setViewport(0, 5)).toBe(false);
    expect(painter.setViewport(3, 5)).toBe(true);
    draws.length = 0;
    expect(painter.paint(() => '____')).toBe(20);
    expect(rowsDrawn(draws, 3)).toEqual([3, 4, 5, 6, 7]);
  });

  it('at a fractional pixel ratio, keeps every row level with its DOM row', () => {
    const { canvas, draws, painter } = setUp(1.25);
    painter.setViewport(0, 40);
    painter.paint(() => '____');
    // Row 39 starts 39 × 18 CSS px down: 877.5 device px, not 39 rounded rows of 23 (897).
    const ys = [...new Set(draws.map((d) => d.y))];
    expect(ys).toHaveLength(40);
    expect(ys[39]).toBe(Math.round(39 * ROW_HEIGHT * 1.25));
    expect(canvas.height).toBe(Math.round(40 * ROW_HEIGHT * 1.25));
    // Scrolled by one row: the canvas starts on a whole device pixel of the grid (23, not 22.5),
    // and row 10 is still where the grid has it.
    painter.setViewport(1, 40);
    draws.length = 0;
    painter.paint(() => '____');
    expect(canvas.style.transform).toBe(`translateY(${23 / 1.25}px)`);
    expect(Math.min(...draws.map((d) => d.y))).toBe(0);
    expect([...new Set(draws.map((d) => d.y))][9]).toBe(Math.round(10 * ROW_HEIGHT * 1.25) - 23);
  });

  it('keeps the view within the grid', () => {
    const { canvas, painter } = setUp();
    painter.setViewport(60, 10);
    expect(canvas.height).toBe(4 * ROW_HEIGHT);
    painter.setViewport(0, 200);
    expect(canvas.height).toBe(64 * ROW_HEIGHT);
    expect(canvas.style.transform).toBe('');
  });
});
