/**
 * Ten minutes of the pool at a glance (recharts): request rate, slots by state, children by
 * generation, kept-alive connections, accept-queue depth. The figures above each plot follow
 * every history sample (1 Hz), the plots are redrawn every 2 s, never at the stream's 10 Hz,
 * with no more points than they are wide. Events are vertical markers on every chart's time
 * axis: child starts and exits faintly, generations and changes dashed, kills, crashes and
 * warnings in their level's colour; the event log lists them.
 */
import { memo, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { Area, AreaChart, CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useDashboard } from '../../lib/store.js';
import { HISTORY_WINDOW_MS, type HistorySample } from '../../lib/history.js';
import type { LogEntry } from '../../lib/event-log.js';
import { formatClock } from '../../lib/format.js';
import { bucketFor, plotPoints } from '../../lib/plot-points.js';

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
 * A chart's plot is redrawn every PLOT_EVERY_MS, the five at their own moments STAGGER_MS
 * apart, each in an idle period: a recharts redraw is 10–30 ms of script on a 2-core machine
 * even with its points thinned (measured in bench/frame-time.mjs: main-thread work per frame),
 * and five a second made the dashboard's busiest twentieth of frames. The figures above each
 * plot follow every sample.
 */
const PLOT_EVERY_MS = 2000;
const STAGGER_MS = 400;

/**
 * Idle time a chart's redraw waits for, so it starts in a frame with nothing else to do (it may
 * still run past that frame), and the longest wait for it before drawing anyway.
 */
const REDRAW_IDLE_MS = 12;
const REDRAW_MAX_WAIT_MS = 1000;

/** Runs `fn` in the first idle period with `REDRAW_IDLE_MS` to spare, or after `REDRAW_MAX_WAIT_MS`. */
function whenIdle(fn: () => void): () => void {
  if (typeof requestIdleCallback !== 'function') {
    const t = setTimeout(fn, 0);
    return () => clearTimeout(t);
  }
  const giveUpAt = performance.now() + REDRAW_MAX_WAIT_MS;
  let id = 0;
  const check = (deadline: IdleDeadline) => {
    if (deadline.timeRemaining() >= REDRAW_IDLE_MS || deadline.didTimeout || performance.now() >= giveUpAt) fn();
    else id = requestIdleCallback(check, { timeout: Math.max(1, giveUpAt - performance.now()) });
  };
  id = requestIdleCallback(check, { timeout: REDRAW_MAX_WAIT_MS });
  return () => cancelIdleCallback(id);
}

/**
 * `value` as the plot shows it: taken at this chart's next moment on the clock (every
 * PLOT_EVERY_MS, `offsetMs` into the period) in an idle period, so the charts' redraws do not
 * pile into one frame and start in frames with little else to do; the first value at once.
 */
function usePaced<T>(value: T, offsetMs: number): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  const waiting = useRef<(() => void) | null>(null);
  useEffect(() => {
    if (waiting.current || Object.is(value, shown)) return;
    const now = Date.now();
    const at = Math.ceil((now - offsetMs) / PLOT_EVERY_MS) * PLOT_EVERY_MS + offsetMs;
    let cancelIdle: (() => void) | null = null;
    const t = setTimeout(
      () =>
        (cancelIdle = whenIdle(() => {
          waiting.current = null;
          setShown(() => latest.current);
        })),
      at - now,
    );
    waiting.current = () => {
      clearTimeout(t);
      cancelIdle?.();
    };
  }, [value, shown, offsetMs]);
  useEffect(
    () => () => {
      waiting.current?.();
      waiting.current = null;
    },
    [],
  );
  return shown;
}

const StaggeredChart = ({ index, spec, ...props }: { index: number; spec: ChartSpec; samples: readonly HistorySample[]; markers: LogEntry[]; domain: [number, number] }) => {
  // One paced value, so samples, markers and domain change in the same redraw.
  const given = useMemo(() => ({ samples: props.samples, markers: props.markers, domain: props.domain }), [props.samples, props.markers, props.domain]);
  const { samples, markers, domain } = usePaced(given, index * STAGGER_MS);
  const last = props.samples[props.samples.length - 1];
  const now = last ? spec.series.map((s) => `${s.name} ${last[s.key] ?? '—'}`).join(' · ') : '—';
  return (
    <figure className="chart" aria-label={`${spec.title} over the last 10 minutes`}>
      <figcaption>
        <span>{spec.title}</span>
        <span className="chart-now num">{now}</span>
      </figcaption>
      <Plot spec={spec} samples={samples} markers={markers} domain={domain} />
    </figure>
  );
};

/** Axis ticks, grid and tooltip never change: hoisted, so a redraw reconciles only the data. */
const CHART_MARGIN = { top: 4, right: 8, bottom: 0, left: 0 };
const TICK_STYLE = { fontSize: 10, fill: 'var(--muted)' };
const TOOLTIP_STYLE = { background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 11 };
const clockTick = (t: number): string => formatClock(t).slice(0, 5);
const clockLabel = (t: unknown): string => formatClock(Number(t));
/** Horizontal lines only, and no vertical coordinates to work out (recharts computes them even when not drawn). */
const noVerticalLines = (): number[] => [];
const GRID = <CartesianGrid stroke="var(--grid)" vertical={false} verticalCoordinatesGenerator={noVerticalLines} />;
const Y_AXIS = <YAxis width={40} allowDecimals={false} tickFormatter={compact} tick={TICK_STYLE} stroke="var(--grid)" />;
/** The ten minutes up to the newest sample, from the data: a constant, so a redraw does not re-register the axis. */
const lastTenMinutes = ([, dataMax]: readonly [number, number]): [number, number] => [dataMax - HISTORY_WINDOW_MS, dataMax];
const timeAxis = (domain: typeof lastTenMinutes | [number, number]) => (
  <XAxis dataKey="t" type="number" scale="time" domain={domain} allowDataOverflow tickFormatter={clockTick} tick={TICK_STYLE} stroke="var(--grid)" minTickGap={40} />
);
const X_AXIS = timeAxis(lastTenMinutes);
const TOOLTIP = <Tooltip isAnimationActive={false} labelFormatter={clockLabel} contentStyle={TOOLTIP_STYLE} />;

/** The plot's width, read once and again only when it is resized, so a redraw measures nothing; null until read. */
function useWidth(ref: RefObject<HTMLElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.getBoundingClientRect().width));
    const ro = new ResizeObserver((entries) => setWidth(Math.floor(entries[0]!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

const Plot = memo(function Plot({ spec, samples, markers, domain }: { spec: ChartSpec; samples: readonly HistorySample[]; markers: LogEntry[]; domain: [number, number] }) {
  const plotRef = useRef<HTMLDivElement>(null);
  const width = useWidth(plotRef);
  const data = useMemo(() => plotPoints(samples, spec.series.map((s) => s.key), bucketFor(HISTORY_WINDOW_MS, width ?? 0)) as HistorySample[], [samples, spec, width]);
  // Without samples there is no newest one: the window ends now.
  const xAxis = samples.length ? X_AXIS : timeAxis(domain);
  const lines = useMemo(
    () =>
      markers.map((m) => (
        <ReferenceLine
          key={m.id}
          x={m.at}
          stroke={m.kind === 'spawn' || m.kind === 'exit' ? (m.level === 'info' ? 'var(--marker-child)' : LEVEL_COLOR[m.level]) : LEVEL_COLOR[m.level]}
          strokeDasharray={m.kind === 'spawn' || m.kind === 'exit' ? undefined : '3 2'}
          strokeOpacity={(m.kind === 'spawn' || m.kind === 'exit') && m.level === 'info' ? 0.5 : 1}
          ifOverflow="hidden"
        />
      )),
    [markers],
  );
  const series = useMemo(
    () =>
      spec.kind === 'line'
        ? spec.series.map((s) => <Line key={s.key} dataKey={s.key} name={s.name} stroke={s.color} dot={false} isAnimationActive={false} strokeWidth={1.5} connectNulls={false} />)
        : spec.series.map((s) => <Area key={s.key} dataKey={s.key} name={s.name} stackId="1" stroke={s.color} fill={s.color} fillOpacity={0.35} isAnimationActive={false} type="stepAfter" />),
    [spec],
  );
  const common = (
    <>
      {GRID}
      {xAxis}
      {Y_AXIS}
      {TOOLTIP}
      {lines}
    </>
  );
  return (
    <div className="chart-plot" ref={plotRef} style={{ height: CHART_HEIGHT }}>
      {width === null || width <= 0 ? null : spec.kind === 'line' ? (
        <LineChart width={width} height={CHART_HEIGHT} data={data} margin={CHART_MARGIN}>
          {common}
          {series}
        </LineChart>
      ) : (
        <AreaChart width={width} height={CHART_HEIGHT} data={data} margin={CHART_MARGIN}>
          {common}
          {series}
        </AreaChart>
      )}
    </div>
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
