/**
 * Ten minutes of the pool at a glance (recharts): request rate, slots by state, children by
 * generation, kept-alive connections, accept-queue depth. Each chart re-renders when a history
 * sample lands (1 Hz), never at the stream's 10 Hz. Events are vertical markers on every
 * chart's time axis: child starts and exits faintly, generations and changes dashed, kills,
 * crashes and warnings in their level's colour; the event log lists them.
 */
import { memo, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Area, AreaChart, CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useDashboard } from '../../lib/store.js';
import { HISTORY_WINDOW_MS, type HistorySample } from '../../lib/history.js';
import type { LogEntry } from '../../lib/event-log.js';
import { formatClock } from '../../lib/format.js';

const CHART_HEIGHT = 132;

interface Series {
  key: keyof HistorySample;
  name: string;
  color: string;
}

interface ChartSpec {
  title: string;
  kind: 'line' | 'stacked';
  series: Series[];
  unit?: string;
}

const CHARTS: ChartSpec[] = [
  { title: 'Requests / s', kind: 'line', series: [{ key: 'rps', name: 'requests/s', color: 'var(--chart-1)' }] },
  {
    title: 'Slots: busy / idle / graceful',
    kind: 'stacked',
    series: [
      { key: 'busy', name: 'busy', color: 'var(--slot-write)' },
      { key: 'idle', name: 'idle', color: 'var(--slot-ready)' },
      { key: 'graceful', name: 'graceful', color: 'var(--slot-graceful)' },
    ],
  },
  {
    title: 'Children by generation',
    kind: 'stacked',
    series: [
      { key: 'currentGeneration', name: 'current generation', color: 'var(--chart-1)' },
      { key: 'olderGenerations', name: 'older generations', color: 'var(--chart-3)' },
    ],
  },
  { title: 'Keep-alive connections', kind: 'line', series: [{ key: 'keepAlive', name: 'keep-alive', color: 'var(--slot-keepalive)' }] },
  { title: 'Accept queue depth', kind: 'line', series: [{ key: 'acceptQueue', name: 'queued', color: 'var(--chart-4)' }] },
];

const compact = (n: number): string => (Math.abs(n) >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

const LEVEL_COLOR = { info: 'var(--marker-info)', warn: 'var(--marker-warn)', error: 'var(--marker-error)' } as const;

/**
 * Each chart takes a new sample this much later than the one before it. Redrawing all five
 * recharts SVGs at once is one task of about 60 ms, four dropped frames every second; one at
 * a time, each fits in a frame (measured in bench/frame-time.mjs: main-thread time per frame).
 */
const STAGGER_MS = 150;

/** `value`, `delayMs` late: the first value at once, every change after `delayMs`. */
function useStaggered<T>(value: T, delayMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (delayMs <= 0) return; // shown as given: no second render
    const t = setTimeout(() => setShown(() => value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs]);
  return delayMs <= 0 ? value : shown;
}

const StaggeredChart = ({ index, ...props }: { index: number; spec: ChartSpec; samples: readonly HistorySample[]; markers: LogEntry[]; domain: [number, number] }) => {
  const samples = useStaggered(props.samples, index * STAGGER_MS);
  const markers = useStaggered(props.markers, index * STAGGER_MS);
  const domain = useStaggered(props.domain, index * STAGGER_MS);
  return <Chart spec={props.spec} samples={samples} markers={markers} domain={domain} />;
};

const Chart = memo(function Chart({ spec, samples, markers, domain }: { spec: ChartSpec; samples: readonly HistorySample[]; markers: LogEntry[]; domain: [number, number] }) {
  const data = samples as HistorySample[];
  const last = samples[samples.length - 1];
  const now = last ? spec.series.map((s) => `${s.name} ${last[s.key] ?? '—'}`).join(' · ') : '—';
  const common = (
    <>
      <CartesianGrid stroke="var(--grid)" vertical={false} />
      <XAxis dataKey="t" type="number" scale="time" domain={domain} allowDataOverflow tickFormatter={(t: number) => formatClock(t).slice(0, 5)} tick={{ fontSize: 10, fill: 'var(--muted)' }} stroke="var(--grid)" minTickGap={40} />
      <YAxis width={40} allowDecimals={false} tickFormatter={compact} tick={{ fontSize: 10, fill: 'var(--muted)' }} stroke="var(--grid)" />
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(t) => formatClock(Number(t))}
        contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 11 }}
      />
      {markers.map((m) => (
        <ReferenceLine
          key={m.id}
          x={m.at}
          stroke={m.kind === 'spawn' || m.kind === 'exit' ? (m.level === 'info' ? 'var(--marker-child)' : LEVEL_COLOR[m.level]) : LEVEL_COLOR[m.level]}
          strokeDasharray={m.kind === 'spawn' || m.kind === 'exit' ? undefined : '3 2'}
          strokeOpacity={(m.kind === 'spawn' || m.kind === 'exit') && m.level === 'info' ? 0.5 : 1}
          ifOverflow="hidden"
        />
      ))}
    </>
  );
  return (
    <figure className="chart" aria-label={`${spec.title} over the last 10 minutes`}>
      <figcaption>
        <span>{spec.title}</span>
        <span className="chart-now num">{now}</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        {spec.kind === 'line' ? (
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            {common}
            {spec.series.map((s) => (
              <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} dot={false} isAnimationActive={false} strokeWidth={1.5} connectNulls={false} />
            ))}
          </LineChart>
        ) : (
          <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            {common}
            {spec.series.map((s) => (
              <Area key={s.key} dataKey={s.key} name={s.name} stackId="1" stroke={s.color} fill={s.color} fillOpacity={0.35} isAnimationActive={false} type="stepAfter" />
            ))}
          </AreaChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
});

export function LiveCharts() {
  // Deferred: React renders the charts in interruptible slices, so a once-a-second redraw of
  // five SVG charts never holds a frame (measured in bench/frame-time.mjs).
  const samples = useDeferredValue(useDashboard((s) => s.history.samples));
  const log = useDeferredValue(useDashboard((s) => s.log));
  const end = samples.length ? samples[samples.length - 1]!.t : Date.now();
  const domain = useMemo((): [number, number] => [end - HISTORY_WINDOW_MS, end], [end]);
  const markers = useMemo(() => log.filter((e) => e.marker && e.at >= end - HISTORY_WINDOW_MS).slice(-120), [log, end]);
  return (
    <section className="panel charts" aria-label="Live charts">
      <header className="panel-head">
        <h2>Last 10 minutes</h2>
        <ul className="marker-key" aria-label="Marker colours">
          <li><span style={{ background: 'var(--marker-child)' }} />child start / exit</li>
          <li><span style={{ background: 'var(--marker-info)' }} />generation / change</li>
          <li><span style={{ background: 'var(--marker-warn)' }} />warning / kill</li>
          <li><span style={{ background: 'var(--marker-error)' }} />error / crash</li>
        </ul>
      </header>
      <div className="chart-grid">
        {CHARTS.map((spec, i) => (
          <StaggeredChart key={spec.title} index={i} spec={spec} samples={samples} markers={markers} domain={domain} />
        ))}
      </div>
    </section>
  );
}
