/**
 * Draws the scoreboard's cells on one canvas, outside React. Each letter is pre-rendered once
 * per theme and cell size as a sprite (colour + letter, normal and dimmed), so a frame is a
 * `drawImage` per *changed* cell: the painter remembers what each row shows and redraws only
 * the cells whose letter changed. A full 4,096-slot board repaints in well under a frame.
 *
 * The canvas holds the rows in the grid's scroll viewport (and a few beyond), not every row:
 * each frame it changes in, the browser copies all its pixels to the compositor, and for a
 * 64 × 64 board that copy of the whole grid was most of a frame's work (bench/frame-time.mjs).
 *
 *   sprites  [ _ S R W K D C L G I . ] × [normal, dimmed]   (one offscreen canvas)
 *   canvas   row first + i = child slot, column j = thread slot j
 */
import { SLOT_STATES, letterIndex } from '../../lib/slot-states.js';
import type { RowShape } from './scoreboard-rows.js';

export interface PainterGeometry {
  rows: readonly RowShape[];
  columns: number;
  threadsPerChild: number;
  cell: number;
  rowHeight: number;
}

export interface Palette {
  fills: string[];
  text: string[];
  beyond: string;
  outline: string;
  pinned: string;
  font: string;
}

/** Reads the slot colours from CSS custom properties (they differ per theme). */
export function readPalette(el: Element): Palette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    fills: SLOT_STATES.map((s) => v(s.cssVar, '#888')),
    text: SLOT_STATES.map((s) => v(`${s.cssVar}-text`, '#000')),
    beyond: v('--slot-beyond', 'rgba(128,128,128,0.25)'),
    outline: v('--slot-hover', '#000'),
    pinned: v('--slot-pinned', '#06f'),
    font: v('--font-mono', 'ui-monospace, monospace'),
  };
}

const DIM_ALPHA = 0.42;
const STALE_ALPHA = 0.55;

export class ScoreboardPainter {
  readonly #canvas: HTMLCanvasElement;
  readonly #ctx: CanvasRenderingContext2D;
  #sprites: HTMLCanvasElement | null = null;
  #geometry: PainterGeometry | null = null;
  #palette: Palette | null = null;
  #dpr = 1;
  /** What each row shows now: its letters and whether it is dimmed. */
  #shown: Array<{ letters: string; dim: boolean } | null> = [];
  #marks: Array<{ row: number; col: number; kind: 'hover' | 'pinned' | 'focus' }> = [];
  #stale = false;
  /** The rows the canvas holds: from `#first`, `#count` of them. */
  #first = 0;
  #count = 0;
  /** Row `#first`'s top edge in the grid, in device pixels: where the canvas starts. */
  #origin = 0;
  /** Each column's left edge on the canvas, and the last one's right edge, in device pixels. */
  #xs: number[] = [0];

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas;
    const ctx = canvas.getContext('2d', { alpha: true });
    if (!ctx) throw new Error('no 2D canvas context');
    this.#ctx = ctx;
  }

  configure(geometry: PainterGeometry, palette: Palette, dpr = window.devicePixelRatio || 1): void {
    this.#geometry = geometry;
    this.#palette = palette;
    this.#dpr = dpr;
    const w = geometry.columns * geometry.cell;
    this.#xs = Array.from({ length: geometry.columns + 1 }, (_, c) => Math.round(c * geometry.cell * dpr));
    this.#canvas.width = Math.max(1, Math.round(w * dpr));
    this.#canvas.style.width = `${w}px`;
    this.#sprites = this.#makeSprites(geometry.cell, geometry.rowHeight, palette, dpr);
    this.#count = -1;
    this.setViewport(0, geometry.rows.length);
  }

  /**
   * The canvas holds rows `first` to `first + count` (clamped to the grid), placed where those
   * rows are; every row is drawn again at the next paint. Returns whether anything changed.
   */
  setViewport(first: number, count: number): boolean {
    const geo = this.#geometry;
    if (!geo) return false;
    const f = Math.max(0, Math.min(first, geo.rows.length - 1));
    const n = Math.max(1, Math.min(count, geo.rows.length - f));
    if (f === this.#first && n === this.#count) return false;
    const canvas = this.#canvas;
    // Edges are whole device pixels of the grid, not of the window: at a fractional pixel ratio
    // the canvas starts on one, and spans a whole number of them, so nothing is resampled.
    const dpr = this.#dpr;
    const origin = Math.round(f * geo.rowHeight * dpr);
    const height = Math.max(1, Math.round((f + n) * geo.rowHeight * dpr) - origin);
    if (height !== canvas.height) {
      // Resizing clears the canvas.
      canvas.height = height;
      canvas.style.height = `${height / dpr}px`;
    } else {
      this.#ctx.clearRect(0, 0, canvas.width, canvas.height);
    }
    canvas.style.transform = f === 0 ? '' : `translateY(${origin / dpr}px)`;
    this.#first = f;
    this.#count = n;
    this.#origin = origin;
    this.#shown = geo.rows.map(() => null);
    return true;
  }

  #makeSprites(cell: number, rowHeight: number, palette: Palette, dpr: number): HTMLCanvasElement {
    const sw = Math.ceil(cell * dpr);
    const sh = Math.ceil(rowHeight * dpr);
    const sprites = document.createElement('canvas');
    sprites.width = sw * SLOT_STATES.length;
    sprites.height = sh * 2;
    const g = sprites.getContext('2d')!;
    const inset = Math.max(1, Math.round(dpr));
    const fontPx = Math.max(8, Math.min(cell, rowHeight) * 0.68) * dpr;
    g.font = `600 ${fontPx}px ${palette.font}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    for (let dim = 0; dim < 2; dim++) {
      g.globalAlpha = dim ? DIM_ALPHA : 1;
      SLOT_STATES.forEach((s, i) => {
        const x = i * sw;
        const y = dim * sh;
        g.fillStyle = palette.fills[i]!;
        g.fillRect(x + inset, y + inset, sw - 2 * inset, sh - 2 * inset);
        g.fillStyle = palette.text[i]!;
        g.fillText(s.letter === '.' ? '·' : s.letter, x + sw / 2, y + sh / 2 + dpr * 0.5);
      });
    }
    return sprites;
  }

  /** Marks the data as stale (the stream is down): everything is drawn faded. */
  setStale(stale: boolean): void {
    if (stale === this.#stale) return;
    this.#stale = stale;
    this.#canvas.style.opacity = stale ? String(STALE_ALPHA) : '';
  }

  /** Draws what changed. `lettersOf(row)` gives the letters a row shows now. */
  paint(lettersOf: (row: RowShape) => string): number {
    const geo = this.#geometry;
    const sprites = this.#sprites;
    if (!geo || !sprites) return 0;
    const ctx = this.#ctx;
    const dpr = this.#dpr;
    // The sprites' cell. On the canvas each cell spans from its own rounded edge to the next, so
    // at a fractional pixel ratio (125 %) the rows stay level with the DOM rows beside them; a
    // cell a pixel smaller than its sprite gets the sprite cropped, never rescaled.
    const sw = Math.ceil(geo.cell * dpr);
    const sh = Math.ceil(geo.rowHeight * dpr);
    let drawn = 0;
    const end = Math.min(geo.rows.length, this.#first + this.#count);
    for (let r = this.#first; r < end; r++) {
      const row = geo.rows[r]!;
      const letters = lettersOf(row);
      const dim = row.old;
      const prev = this.#shown[r];
      const full = !prev || prev.dim !== dim || prev.letters.length !== letters.length;
      // Where row r is on the canvas, and its height there.
      const y = this.#y(r);
      const h = this.#y(r + 1) - y;
      if (full && prev) {
        ctx.clearRect(0, y, this.#canvas.width, h);
      }
      if (row.kind === 'beyond') {
        if (full) {
          ctx.strokeStyle = this.#palette!.beyond;
          ctx.lineWidth = dpr;
          ctx.setLineDash([2 * dpr, 2 * dpr]);
          for (let c = 0; c < geo.threadsPerChild && c < geo.columns; c++) ctx.strokeRect(this.#x(c) + 1.5 * dpr, y + 1.5 * dpr, this.#x(c + 1) - this.#x(c) - 3 * dpr, h - 3 * dpr);
          ctx.setLineDash([]);
          drawn++;
        }
        this.#shown[r] = { letters, dim };
        continue;
      }
      for (let c = 0; c < letters.length; c++) {
        if (!full && prev!.letters.charCodeAt(c) === letters.charCodeAt(c)) continue;
        const i = letterIndex(letters[c]!);
        const x = this.#x(c);
        const w = this.#x(c + 1) - x;
        ctx.clearRect(x, y, w, h);
        ctx.drawImage(sprites, i * sw, dim ? sh : 0, w, h, x, y, w, h);
        drawn++;
      }
      this.#shown[r] = { letters, dim };
    }
    this.#drawMarks();
    return drawn;
  }

  /** Column c's left edge on the canvas, in device pixels (worked out once per configure). */
  #x(c: number): number {
    return this.#xs[c] ?? Math.round(c * this.#geometry!.cell * this.#dpr);
  }

  /** Grid row r's top edge on the canvas (which starts at row `#first`), in device pixels. */
  #y(r: number): number {
    return Math.round(r * this.#geometry!.rowHeight * this.#dpr) - this.#origin;
  }

  /** Outlines for the hovered, pinned and keyboard-focused cells (redrawn after every paint). */
  setMarks(marks: Array<{ row: number; col: number; kind: 'hover' | 'pinned' | 'focus' }>): void {
    // Repaint the cells under the old marks so their outlines disappear.
    for (const m of this.#marks) this.#invalidate(m.row);
    this.#marks = marks;
  }

  #invalidate(row: number): void {
    if (row >= 0 && row < this.#shown.length) this.#shown[row] = null;
  }

  #drawMarks(): void {
    const geo = this.#geometry;
    if (!geo || !this.#palette) return;
    const ctx = this.#ctx;
    const dpr = this.#dpr;
    for (const m of this.#marks) {
      if (m.row < this.#first || m.row >= this.#first + this.#count || m.row >= geo.rows.length || m.col < 0 || m.col >= geo.columns) continue;
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = m.kind === 'pinned' ? this.#palette.pinned : this.#palette.outline;
      ctx.setLineDash(m.kind === 'focus' ? [3 * dpr, 2 * dpr] : []);
      const x = this.#x(m.col);
      const y = this.#y(m.row);
      ctx.strokeRect(x + dpr, y + dpr, this.#x(m.col + 1) - x - 2 * dpr, this.#y(m.row + 1) - y - 2 * dpr);
      ctx.setLineDash([]);
    }
  }
}
