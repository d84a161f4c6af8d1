/** The Events region: spawns, exits with their reason, generations, changes, warnings; newest first. */
import { useMemo, useState } from 'react';
import { useDashboard } from '../../lib/store.js';
import { formatClock } from '../../lib/format.js';
import type { LogEntry } from '../../lib/event-log.js';

type Filter = 'all' | 'changes' | 'warnings';

const KIND_LABEL: Record<LogEntry['kind'], string> = {
  spawn: 'spawn',
  exit: 'exit',
  generation: 'generation',
  directives: 'config',
  log: 'log',
  audit: 'audit',
  loadtest: 'load test',
  connection: 'stream',
};

function keep(e: LogEntry, f: Filter): boolean {
  if (f === 'warnings') return e.level !== 'info';
  if (f === 'changes') return e.kind === 'generation' || e.kind === 'directives' || e.kind === 'audit' || e.marker;
  return true;
}

export function EventLog() {
  const log = useDashboard((s) => s.log);
  const [filter, setFilter] = useState<Filter>('all');
  const shown = useMemo(() => log.filter((e) => keep(e, filter)).slice(-200).reverse(), [log, filter]);
  return (
    <section className="panel events" aria-label="Events">
      <header className="panel-head">
        <h2>Events</h2>
        <div className="segmented" role="radiogroup" aria-label="Show events">
          {(['all', 'changes', 'warnings'] as const).map((f) => (
            <button key={f} type="button" role="radio" aria-checked={filter === f} className={filter === f ? 'on' : ''} onClick={() => setFilter(f)}>
              {f}
            </button>
          ))}
        </div>
      </header>
      <ol className="event-list" aria-label="Event log">
        {shown.length === 0 && <li className="hint">No events yet.</li>}
        {shown.map((e) => (
          <li key={e.id} className={`ev ev-${e.level}`}>
            <time className="num" dateTime={new Date(e.at).toISOString()}>{formatClock(e.at)}</time>
            <span className={`ev-kind k-${e.kind}`}>{KIND_LABEL[e.kind]}</span>
            <span className="ev-text">{e.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
