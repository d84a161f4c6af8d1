/**
 * The rows' DOM: one accessible row per child slot with its header cells. React renders it
 * only when the grid's shape changes (a child starts or exits, a generation rolls); the
 * figures in it are written by the live binding (use-live-scoreboard.ts) at the stream's rate.
 */
import { memo } from 'react';
import type { GridShape } from './scoreboard-rows.js';

export const ROW_HEIGHT = 18;

export const COLUMNS = [
  { key: 'slot', label: 'Slot', title: 'Child slot' },
  { key: 'pid', label: 'PID', title: 'Process id' },
  { key: 'gen', label: 'Gen', title: 'Generation' },
  { key: 'state', label: 'State', title: 'Child state' },
  { key: 'acc', label: 'Acc', title: 'Accepting new connections' },
  { key: 'rss', label: 'RSS', title: 'Resident memory' },
  { key: 'cpu', label: 'CPU', title: 'CPU seconds (user + system)' },
  { key: 'req', label: 'Req', title: 'Requests served by this child' },
] as const;

export const RowsView = memo(function RowsView({ shape }: { shape: GridShape }) {
  return (
    <>
      {shape.rows.map((row) => (
        <div
          key={`${row.slot}.${row.pid}`}
          role="row"
          data-row={row.slot}
          className={`sb-row sb-${row.kind}${row.old ? ' sb-old' : ''}`}
          style={{ height: ROW_HEIGHT }}
        >
          <span role="cell" className="c-slot num">{row.slot}</span>
          {row.kind === 'child' ? (
            <>
              <span role="cell" className="c-pid num">{row.pid}</span>
              <span role="cell" className="c-gen num">{row.generation}</span>
              <span role="cell" className="c-state" data-f="state" />
              <span role="cell" className="c-acc" data-f="acc" />
              <span role="cell" className="c-rss num" data-f="rss" />
              <span role="cell" className="c-cpu num" data-f="cpu" />
              <span role="cell" className="c-req num" data-f="req" />
            </>
          ) : (
            <span role="cell" className="c-open">{row.kind === 'open' ? 'open' : 'beyond MaxRequestWorkers'}</span>
          )}
        </div>
      ))}
    </>
  );
});
