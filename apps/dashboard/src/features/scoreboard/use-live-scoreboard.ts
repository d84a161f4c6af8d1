/**
 * The scoreboard's live binding: a transient store subscription (no React render) that, once
 * per animation frame at most, repaints changed cells on the canvas, and a few times a second
 * rewrites the changed figures and accessible labels of the rows (measured: the DOM writes, not
 * the canvas, are what a 4,096-slot board at 10 Hz costs; bench/frame-time.mjs). Processes the delta left alone are the same
 * objects as before (protocol applyDelta), so unchanged rows cost one identity check.
 */
import { useEffect, useRef, type RefObject } from 'react';
import type { ProcessSnapshot, StatusSnapshot } from '@forkyard/protocol';
import { dashboardStore, type DashboardState } from '../../lib/store.js';
import { formatBytes } from '../../lib/format.js';
import { ScoreboardPainter, readPalette } from './scoreboard-painter.js';
import { childState, rowLabel, rowLetters, type GridShape } from './scoreboard-rows.js';
import { ROW_HEIGHT } from './scoreboard-rows-view.js';

/** How often the rows' DOM (figures, accessible labels) follows the stream. */
const ROWS_HZ = 4;
/**
 * Rows rewritten in one frame at most: 64 rows' figures at once were 4 ms of layout and 2.5 ms
 * of paint in one frame on a 2-core machine (bench/frame-time.mjs); 16 a frame, a pass over 64
 * rows takes four frames.
 */
const ROWS_PER_FRAME = 16;
/**
 * Rows the canvas holds beyond each edge of the scroll viewport: more than one wheel step
 * (100 px), which the browser may show before the page has redrawn the canvas for it.
 */
const OVERSCAN_ROWS = 6;

interface RowBinding {
  el: HTMLElement;
  fields: Record<string, HTMLElement>;
  shown: ProcessSnapshot | undefined | null;
}

export interface Mark {
  row: number;
  col: number;
  kind: 'hover' | 'pinned' | 'focus';
}

function isStale(s: DashboardState): boolean {
  return s.connection.phase !== 'live' || s.stream.stale;
}

export function useLiveScoreboard(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  rowsRef: RefObject<HTMLElement | null>,
  /** The grid's scroll viewport: the canvas holds the rows it shows. */
  viewportRef: RefObject<HTMLElement | null>,
  shape: GridShape | null,
  cell: number,
  theme: string,
  marks: Mark[],
): void {
  const painterRef = useRef<ScoreboardPainter | null>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const rowsEl = rowsRef.current;
    const viewport = viewportRef.current;
    if (!canvas || !rowsEl || !viewport || !shape) return;
    const painter = (painterRef.current ??= new ScoreboardPainter(canvas));
    painter.configure({ rows: shape.rows, columns: shape.columns, threadsPerChild: shape.threadsPerChild, cell, rowHeight: ROW_HEIGHT }, readPalette(canvas));
    /**
     * Gives the painter the rows in view; true if they changed. The count depends only on the
     * viewport's height, so scrolling moves the canvas without resizing it.
     */
    const follow = (): boolean => {
      // The canvas's top edge in the scrolled content (below the column heads).
      const top = canvas.parentElement?.offsetTop ?? 0;
      const count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 1 + 2 * OVERSCAN_ROWS;
      const first = Math.floor((viewport.scrollTop - top) / ROW_HEIGHT) - OVERSCAN_ROWS;
      return painter.setViewport(Math.max(0, Math.min(first, shape.rows.length - count)), count);
    };

    const bindings: RowBinding[] = shape.rows.map((row) => {
      const el = rowsEl.querySelector<HTMLElement>(`[data-row="${row.slot}"]`)!;
      const fields: Record<string, HTMLElement> = {};
      el?.querySelectorAll<HTMLElement>('[data-f]').forEach((f) => (fields[f.dataset.f!] = f));
      return { el, fields, shown: null };
    });

    // Cells repaint on every animation frame that has news; the rows' text and accessible
    // labels (DOM, so each write costs style and layout) follow at most ROWS_HZ times a second,
    // ROWS_PER_FRAME rows a frame.
    let frame = 0;
    let rowsTimer: ReturnType<typeof setTimeout> | null = null;
    /** A pass over the rows in progress: the frame that writes its next rows, and where it is. */
    let rowsFrame = 0;
    let rowsFrom = 0;
    let rowsAt = 0;
    let painted: unknown = null;
    let written: unknown = null;
    const bySlotOf = (snapshot: StatusSnapshot) => {
      const bySlot = new Map<number, ProcessSnapshot>();
      for (const p of snapshot.processes) bySlot.set(p.slot, p);
      return bySlot;
    };
    const scheduleRows = () => {
      if (rowsTimer === null && rowsFrame === 0) rowsTimer = setTimeout(writeRows, Math.max(0, rowsAt + 1000 / ROWS_HZ - performance.now()));
    };
    const writeRow = (b: RowBinding, row: GridShape['rows'][number], p: ProcessSnapshot | undefined) => {
      b.shown = p;
      const same = row.kind === 'child' && p?.pid === row.pid;
      b.el.setAttribute('aria-label', rowLabel(row, same ? p : undefined, shape.threadsPerChild));
      if (!same || !p) return;
      const set = (k: string, text: string) => {
        const f = b.fields[k];
        if (!f) return;
        // One text node per field, its value changed in place: replacing the node (textContent)
        // would take a layout object out and put a new one in.
        const node = f.firstChild as Text | null;
        if (node === null) f.append(text);
        else if (node.nodeValue !== text) node.nodeValue = text;
      };
      set('state', childState(p));
      set('acc', p.quiescing || p.notAccepting ? 'no' : 'yes');
      set('rss', p.rss ? formatBytes(p.rss) : '—');
      set('cpu', `${p.cpu.toFixed(2)} s`);
      set('req', String(p.requests));
    };
    // One pass at a time: a pass is started only by its timer (scheduleRows, never while a pass
    // is in progress) and goes on only by its frame, and cleanup cancels whichever is pending.
    const writeRows = () => {
      rowsTimer = null;
      rowsFrame = 0;
      const snapshot = dashboardStore.getState().stream.snapshot;
      if (!snapshot || (rowsFrom === 0 && snapshot === written)) {
        rowsFrom = 0;
        return;
      }
      if (rowsFrom === 0) {
        written = snapshot;
        rowsAt = performance.now();
      }
      // A pass that outlives a snapshot goes on with the newest one.
      const bySlot = bySlotOf(snapshot);
      let wrote = 0;
      let i = rowsFrom;
      for (; i < shape.rows.length && wrote < ROWS_PER_FRAME; i++) {
        const b = bindings[i]!;
        const p = bySlot.get(shape.rows[i]!.slot);
        if (!b.el || b.shown === p) continue;
        writeRow(b, shape.rows[i]!, p);
        wrote++;
      }
      rowsFrom = i < shape.rows.length ? i : 0;
      if (rowsFrom !== 0) rowsFrame = requestAnimationFrame(writeRows);
      else if (dashboardStore.getState().stream.snapshot !== written) scheduleRows();
    };
    const update = () => {
      frame = 0;
      const state = dashboardStore.getState();
      painter.setStale(isStale(state));
      const snapshot = state.stream.snapshot;
      if (!snapshot || snapshot === painted) return;
      painted = snapshot;
      paintFrom(snapshot);
      scheduleRows();
    };
    const paintFrom = (snapshot: StatusSnapshot) => {
      const bySlot = bySlotOf(snapshot);
      painter.paint((row) => {
        if (row.kind === 'beyond') return '';
        const p = bySlot.get(row.slot);
        return rowLetters(row.kind === 'child' && p?.pid === row.pid ? p : undefined, shape.threadsPerChild);
      });
    };
    // A scroll, or a viewport resized, brings other rows in view: they are drawn at once.
    const onViewport = () => {
      if (!follow()) return;
      const snapshot = dashboardStore.getState().stream.snapshot;
      if (snapshot) paintFrom(snapshot);
    };
    follow();
    viewport.addEventListener('scroll', onViewport, { passive: true });
    const viewportSize = new ResizeObserver(onViewport);
    viewportSize.observe(viewport);
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(update);
    };
    // The first paint also starts the first pass over the rows (at once: none was written yet).
    update();
    const unsubscribe = dashboardStore.subscribe(schedule);
    // Stale marking must also follow the clock when no frames arrive at all.
    const staleTimer = setInterval(() => painter.setStale(isStale(dashboardStore.getState())), 1000);
    return () => {
      viewport.removeEventListener('scroll', onViewport);
      viewportSize.disconnect();
      unsubscribe();
      clearInterval(staleTimer);
      if (frame) cancelAnimationFrame(frame);
      if (rowsTimer) clearTimeout(rowsTimer);
      if (rowsFrame) cancelAnimationFrame(rowsFrame);
    };
  }, [canvasRef, rowsRef, viewportRef, shape, cell, theme]);

  useEffect(() => {
    const painter = painterRef.current;
    if (!painter || !shape) return;
    painter.setMarks(marks);
    const snapshot = dashboardStore.getState().stream.snapshot;
    const bySlot = new Map((snapshot?.processes ?? []).map((p) => [p.slot, p]));
    painter.paint((row) => {
      if (row.kind === 'beyond') return '';
      const p = bySlot.get(row.slot);
      return rowLetters(row.kind === 'child' && p?.pid === row.pid ? p : undefined, shape.threadsPerChild);
    });
  }, [marks, shape]);
}
