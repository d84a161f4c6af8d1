/**
 * The frame-time benchmark page: the dashboard's real stream client, store binding,
 * scoreboard, charts and event log, fed a precomputed 4,096-slot stream (JSON text frames, as
 * the control plane sends them) at 10 Hz through a stand-in socket, while a
 * requestAnimationFrame loop records every frame's interval. The measured window is marked
 * (frame-bench:start, frame-bench:end) for bench/frame-time.mjs, which drives the page in
 * headless Chromium and reads the main thread's work per frame from Chromium's trace.
 */
import { createRoot } from 'react-dom/client';
import { dashboardStore } from '../../src/lib/store.js';
import type { HistorySample } from '../../src/lib/history.js';
import { StreamClient, type WebSocketConstructor } from '@forkyard/client';
import { bindStreamToStore } from '../../src/lib/stream-binding.js';
import { FakeWebSocket } from '../../src/testing/fake-web-socket.js';
import { ScoreboardPanel } from '../../src/features/scoreboard/scoreboard-panel.js';
import { LiveCharts } from '../../src/features/charts/live-charts.js';
import { EventLog } from '../../src/features/events/event-log-panel.js';
import { ScoreboardPainter } from '../../src/features/scoreboard/scoreboard-painter.js';
import { syntheticStream } from './synthetic.js';

// Time every canvas repaint (the painter's whole job per animation frame).
const paintCosts: number[] = [];
const originalPaint = ScoreboardPainter.prototype.paint;
ScoreboardPainter.prototype.paint = function timedPaint(this: ScoreboardPainter, ...args: Parameters<typeof originalPaint>) {
  const t0 = performance.now();
  const n = originalPaint.apply(this, args);
  paintCosts.push(performance.now() - t0);
  return n;
};
import '../../src/app/styles.css';

declare global {
  interface Window {
    runFrameBench(opts: { seconds: number; hz: number; children: number; threads: number; changeShare: number; parts: string[]; scroll?: number }): Promise<unknown>;
  }
}

document.documentElement.dataset.theme = 'light';
dashboardStore.setState({ session: { token: null, role: 'operator' } });

function Bench({ parts }: { parts: string[] }) {
  return (
    <main className="layout">
      {parts.includes('scoreboard') && <ScoreboardPanel theme="light" />}
      <div className="col-main">
        {parts.includes('charts') && <LiveCharts />}
        {parts.includes('events') && <EventLog />}
      </div>
    </main>
  );
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

window.runFrameBench = async ({ seconds, hz, children, threads, changeShare, parts, scroll = 0 }) => {
  const ticks = Math.ceil(seconds * hz) + 5;
  const { frames, changedSlotsPerTick } = syntheticStream(children, threads, ticks, changeShare);
  const texts = frames.map((f) => JSON.stringify(f));
  const client = new StreamClient({ url: window.location.origin, WebSocket: FakeWebSocket as unknown as WebSocketConstructor });
  bindStreamToStore(client, dashboardStore);
  client.start();
  await new Promise((r) => setTimeout(r, 0));
  const socket = FakeWebSocket.last();
  socket.open();
  const apply = (i: number) => socket.deliver(texts[i]!);
  apply(0);
  // Ten minutes of chart history, as on a dashboard that has been open that long: the charts
  // then draw 600 samples each, not the few a short run would collect.
  {
    const now = dashboardStore.getState().stream.snapshot!.time;
    const samples: HistorySample[] = [];
    for (let i = 599; i >= 1; i--) {
      const busy = 800 + Math.round(400 * Math.sin(i / 30));
      const graceful = i % 120 < 10 ? 64 : 0;
      samples.push({ t: now - i * 1000, rps: 20000 + Math.round(5000 * Math.sin(i / 17)), busy, idle: children * threads - busy - graceful, graceful, currentGeneration: children, olderGenerations: graceful ? 4 : 0, keepAlive: 2000 + (i % 50) * 10, acceptQueue: i % 7 });
    }
    dashboardStore.setState((s) => ({ history: { samples: [...samples, ...s.history.samples], lastAccesses: s.history.lastAccesses } }));
  }
  createRoot(document.getElementById('root')!).render(<Bench parts={parts} />);
  await new Promise((r) => setTimeout(r, 1000));
  // A grid scrolled down, as by someone looking at the children further down.
  if (scroll > 0) {
    document.querySelector('.sb-body')?.scrollBy(0, scroll);
    await new Promise((r) => setTimeout(r, 200));
  }

  const frameTimes: number[] = [];
  const updateCosts: number[] = [];
  let longTasks = 0;
  let longTaskMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      longTasks++;
      longTaskMs += e.duration;
    }
  });
  try {
    observer.observe({ type: 'longtask', buffered: false });
  } catch {
    // longtask entries are a Chromium feature; without them the frame times still stand
  }
  let running = true;
  let last = performance.now();
  const loop = (t: number) => {
    frameTimes.push(t - last);
    last = t;
    if (running) requestAnimationFrame(loop);
  };
  requestAnimationFrame((t) => {
    last = t;
    requestAnimationFrame(loop);
  });
  performance.mark('frame-bench:start');
  let next = 1;
  const timer = setInterval(() => {
    if (next >= frames.length) return;
    const t0 = performance.now();
    apply(next++);
    updateCosts.push(performance.now() - t0);
  }, 1000 / hz);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  performance.mark('frame-bench:end');
  clearInterval(timer);
  observer.disconnect();
  const sorted = frameTimes.slice().sort((a, b) => a - b);
  const paints = paintCosts.slice(-updateCosts.length).sort((a, b) => a - b);
  const costs = updateCosts.slice().sort((a, b) => a - b);
  const total = frameTimes.reduce((a, b) => a + b, 0);
  return {
    mounted: parts,
    slots: children * threads,
    children,
    threadsPerChild: threads,
    updateHz: hz,
    changedSlotsPerUpdate: changedSlotsPerTick,
    updatesApplied: updateCosts.length,
    durationMs: Math.round(total),
    frames: frameTimes.length,
    fps: round((frameTimes.length / total) * 1000),
    frameTimeMs: { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? 0) },
    framesOver50ms: frameTimes.filter((f) => f > 50).length,
    storeUpdateMs: { p50: round(percentile(costs, 50)), p95: round(percentile(costs, 95)), max: round(costs[costs.length - 1] ?? 0) },
    canvasPaintMs: { p50: round(percentile(paints, 50)), p95: round(percentile(paints, 95)), max: round(paints[paints.length - 1] ?? 0) },
    longTasks,
    longTaskMs: Math.round(longTaskMs),
  };
};
