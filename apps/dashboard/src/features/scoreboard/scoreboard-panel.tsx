/**
 * The Scoreboard region: a summary line, the legend, the grid (rows in the DOM for their
 * figures and accessible names, cells on one canvas) and the pinned slot's details with its
 * child's actions. Hover shows a slot's details beside the pointer; click or Enter pins it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { dashboardStore, useDashboard } from '../../lib/store.js';
import { gridShape } from './scoreboard-rows.js';
import { COLUMNS, ROW_HEIGHT, RowsView } from './scoreboard-rows-view.js';
import { ScoreboardLegend } from './scoreboard-legend.js';
import { SlotDetails, type SlotRef } from './slot-details.js';
import { ChildActions } from './child-actions.js';
import { Outcome, type OutcomeValue } from '../../components/outcome.js';
import { useLiveScoreboard, type Mark } from './use-live-scoreboard.js';
import { ScoreboardSummary } from './scoreboard-summary.js';
import { StaleNote } from './stale-note.js';

const HEAD_WIDTH = 440;
const COLUMN_HEAD_HEIGHT = 20;
/** The grid's viewport: tall enough for every row up to this, then it scrolls (fixed per shape: no layout shift while data streams). */
const MAX_BODY_HEIGHT = 'min(46vh, 520px)';
const MIN_CELL = 9;
const MAX_CELL = 22;

function useShapeKey(): string {
  return useDashboard((s) => (s.stream.snapshot ? gridShape(s.stream.snapshot).key : ''));
}

export function ScoreboardPanel({ theme }: { theme: string }) {
  const key = useShapeKey();
  const shape = useMemo(() => {
    const snap = dashboardStore.getState().stream.snapshot;
    return snap ? gridShape(snap) : null;
  }, [key]);
  const bodyRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(1000);
  const [hover, setHover] = useState<(SlotRef & { x: number; y: number }) | null>(null);
  const [pinned, setPinned] = useState<SlotRef | null>(null);
  const [cursor, setCursor] = useState<SlotRef | null>(null);
  const [actionOutcome, setActionOutcome] = useState<OutcomeValue | null>(null);

  useEffect(() => {
    const el = bodyRef.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const columns = shape?.columns ?? 1;
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor((width - HEAD_WIDTH - 8) / columns)));

  const rowIndex = useCallback((slot: number) => shape?.rows.findIndex((r) => r.slot === slot) ?? -1, [shape]);
  const marks = useMemo(() => {
    const out: Mark[] = [];
    if (pinned) out.push({ row: rowIndex(pinned.slot), col: pinned.thread, kind: 'pinned' });
    if (cursor) out.push({ row: rowIndex(cursor.slot), col: cursor.thread, kind: 'focus' });
    if (hover) out.push({ row: rowIndex(hover.slot), col: hover.thread, kind: 'hover' });
    return out;
  }, [pinned, cursor, hover, rowIndex]);

  useLiveScoreboard(canvasRef, rowsRef, bodyRef, shape, cell, theme, marks);

  const at = (e: MouseEvent<HTMLCanvasElement>): SlotRef | null => {
    if (!shape) return null;
    // The canvas holds only the rows in view, placed where they are: rows count from the top
    // of its frame, which is the grid's first row.
    const rect = (e.currentTarget.parentElement ?? e.currentTarget).getBoundingClientRect();
    const r = Math.floor((e.clientY - rect.top) / ROW_HEIGHT);
    const c = Math.floor((e.clientX - rect.left) / cell);
    const row = shape.rows[r];
    if (!row || row.kind === 'beyond' || c < 0 || c >= shape.columns) return null;
    const snap = dashboardStore.getState().stream.snapshot;
    const used = row.kind === 'child' ? snap?.processes.find((p) => p.slot === row.slot)?.letters.length ?? 0 : shape.threadsPerChild;
    return c < used ? { slot: row.slot, thread: c } : null;
  };

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const s = at(e);
    if (!s) return setHover(null);
    if (hover && hover.slot === s.slot && hover.thread === s.thread) return;
    setHover({ ...s, x: e.clientX, y: e.clientY });
  };

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const s = at(e);
    if (!s) return;
    setPinned((p) => (p && p.slot === s.slot && p.thread === s.thread ? null : s));
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!shape) return;
    const rows = shape.rows.filter((r) => r.kind !== 'beyond');
    if (rows.length === 0) return;
    const cur = cursor ?? { slot: rows[0]!.slot, thread: 0 };
    let ri = rows.findIndex((r) => r.slot === cur.slot);
    let col = cur.thread;
    switch (e.key) {
      case 'ArrowDown': ri = Math.min(rows.length - 1, ri + 1); break;
      case 'ArrowUp': ri = Math.max(0, ri - 1); break;
      case 'ArrowRight': col = Math.min(shape.columns - 1, col + 1); break;
      case 'ArrowLeft': col = Math.max(0, col - 1); break;
      case 'Home': col = 0; break;
      case 'End': col = shape.columns - 1; break;
      case 'Enter':
      case ' ':
        setPinned((p) => (p && p.slot === cur.slot && p.thread === cur.thread ? null : cur));
        e.preventDefault();
        return;
      case 'Escape': setPinned(null); return;
      default: return;
    }
    e.preventDefault();
    const next = { slot: rows[Math.max(0, ri)]!.slot, thread: col };
    setCursor(next);
    const rowEl = rowsRef.current?.querySelector(`[data-row="${next.slot}"]`);
    rowEl?.scrollIntoView({ block: 'nearest' });
  };

  return (
    <section className="panel scoreboard" aria-label="Scoreboard">
      <header className="panel-head">
        <h2>Scoreboard</h2>
        <ScoreboardSummary />
      </header>
      <ScoreboardLegend />
      <StaleNote />
      <div className="sb-body" ref={bodyRef} style={{ height: shape ? `min(${shape.rows.length * ROW_HEIGHT + COLUMN_HEAD_HEIGHT + 4}px, ${MAX_BODY_HEIGHT})` : 120 }}>
        {!shape ? (
          <p className="placeholder">Waiting for the first snapshot…</p>
        ) : (
          <div className="sb-table" role="table" aria-label="Child processes" aria-rowcount={shape.rows.length + 1} style={{ width: HEAD_WIDTH + shape.columns * cell, ['--sb-head-w' as string]: `${HEAD_WIDTH}px` }}>
            <div role="row" className="sb-row sb-colhead">
              {COLUMNS.map((c) => (
                <span role="columnheader" key={c.key} className={`c-${c.key}`} title={c.title}>{c.label}</span>
              ))}
              <span role="columnheader" className="c-letters-head">Thread slots ({shape.columns})</span>
            </div>
            <div className="sb-rows" ref={rowsRef}>
              <RowsView shape={shape} />
            </div>
          </div>
        )}
        {shape && (
          <div
            className="sb-canvas-wrap"
            // As tall as the grid (the canvas in it holds only the rows in view): the focus ring
            // and the hit-testing frame cover every row.
            style={{ left: HEAD_WIDTH, top: COLUMN_HEAD_HEIGHT, height: shape.rows.length * ROW_HEIGHT }}
            tabIndex={0}
            role="application"
            aria-label="Slot cells: arrow keys move, Enter pins a slot's details, Escape unpins"
            onKeyDown={onKey}
            onBlur={() => setCursor(null)}
          >
            <canvas ref={canvasRef} onMouseMove={onMove} onMouseLeave={() => setHover(null)} onClick={onClick} />
          </div>
        )}
        {hover && (
          <div className="slot-tooltip" role="tooltip" style={{ left: Math.min(hover.x + 14, window.innerWidth - 340), top: hover.y + 230 > window.innerHeight ? hover.y - 224 : hover.y + 16 }}>
            <SlotDetails at={hover} compact />
          </div>
        )}
      </div>
      <div className="inspector" aria-label="Pinned slot" role="group">
        {pinned ?? cursor ? (
          <>
            <SlotDetails at={(pinned ?? cursor)!} />
            <ChildActions slot={(pinned ?? cursor)!.slot} onOutcome={setActionOutcome} />
            {pinned && <button type="button" className="btn ghost" onClick={() => setPinned(null)}>Unpin</button>}
          </>
        ) : (
          <p className="hint">Hover a cell for its request; click (or focus the grid and press Enter) to pin it here with its child’s actions.</p>
        )}
        <Outcome value={actionOutcome} label="Child action result" />
      </div>
    </section>
  );
}
