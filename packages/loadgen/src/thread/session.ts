/**
 * One load test, start to finish, inside the load thread:
 *
 *   [idle set-up] ─▶ t0: drivers start ─▶ every second: close a timeline bucket, apply the ramp
 *                 ─▶ t0 + duration: stop sending ─▶ drain (bounded) ─▶ close every socket
 *
 * `abort()` skips straight to closing every socket; the result keeps what was measured.
 */

import { performance } from 'node:perf_hooks';
import type { RunRequest } from '../messages.js';
import type { IdleReport, LoadTestResult, TimelineSecond } from '../result/types.js';
import { trafficPlan } from '../spec/plan.js';
import { ClosedLoop } from './closed-loop.js';
import type { Driver } from './driver.js';
import { IdleClients } from './idle-clients.js';
import { OpenLoop } from './open-loop.js';
import { Recorder } from './recorder.js';

/** The longest the run waits, after sending stops, for answers still in flight. */
const MAX_DRAIN_MS = 10_000;
/** The longest idle clients are given to get their first answer before probing starts. */
const MAX_IDLE_SETUP_MS = 5_000;

export interface Session {
  done: Promise<LoadTestResult>;
  abort(): void;
}

export function startSession(request: RunRequest, onSecond: (second: TimelineSecond) => void): Session {
  const { spec, origin } = request;
  const plan = trafficPlan(spec);
  const requestPlan = { path: plan.path, reset: plan.reset, timeoutMs: plan.timeoutMs };
  const startedAt = new Date();
  let aborted = false;
  let wake: () => void = () => {};
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (aborted) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
      wake = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
    });

  const idle =
    spec.scenario === 'idle-keepalive' ? new IdleClients(origin, spec.idleClients, spec.reconnect, { path: '/', reset: false, timeoutMs: spec.timeoutMs }) : null;
  let recorder: Recorder | null = null;
  let driver: Driver | null = null;
  /** Taken before sockets are closed: closing them is not the server's doing. */
  let idleReport: IdleReport | undefined;

  async function run(): Promise<LoadTestResult> {
    if (idle) await Promise.race([idle.openAll(Math.min(MAX_IDLE_SETUP_MS, spec.timeoutMs)), sleep(MAX_IDLE_SETUP_MS + 100)]);

    const t0 = performance.now();
    const rec = new Recorder(t0);
    recorder = rec;
    const drv: Driver =
      plan.mode === 'closed' ? new ClosedLoop(origin, requestPlan, rec) : new OpenLoop(origin, plan.maxConnections, requestPlan, rec);
    driver = drv;
    drv.setLoad(plan.loadAt(0));
    if (!aborted) drv.start(t0);

    const timeline: TimelineSecond[] = [];
    const closeSecond = (at: number, load: number): void => {
      const context = { inFlight: drv.inFlight(), connections: drv.connections() + (idle?.openNow() ?? 0), load };
      const second = rec.closeSecond(at, idle ? { ...context, idleOpen: idle.openNow() } : context);
      timeline.push(second);
      onSecond(second);
    };

    // Sending: one bucket per second, the ramp's next level at each step.
    let s = 0;
    for (; s < plan.durationSeconds && !aborted; s++) {
      await sleep(t0 + (s + 1) * 1000 - performance.now());
      if (aborted) break;
      closeSecond(performance.now(), plan.loadAt(s));
      if (s + 1 < plan.durationSeconds) {
        const next = plan.loadAt(s + 1);
        if (next !== drv.load) drv.setLoad(next);
      }
    }
    drv.stopSending();

    // Draining: answers to what was sent still count, for a bounded time.
    const drainUntil = performance.now() + Math.min(MAX_DRAIN_MS, plan.timeoutMs);
    let bucketEnd = t0 + (s + 1) * 1000;
    while (!aborted && drv.inFlight() > 0 && performance.now() < drainUntil) {
      await sleep(Math.min(10, bucketEnd - performance.now()));
      if (performance.now() >= bucketEnd) {
        closeSecond(performance.now(), 0);
        bucketEnd += 1000;
      }
    }
    const unanswered = drv.inFlight();
    // What was answered after the last whole second (or before an abort) still belongs on the timeline.
    if (rec.secondHasData()) closeSecond(performance.now(), aborted ? drv.load : 0);

    rec.frozen = true;
    idleReport ??= idle?.report();
    await Promise.all([drv.destroy(), idle?.destroy()]);
    return {
      version: 1,
      id: request.id,
      label: request.label,
      meta: request.meta,
      spec,
      target: origin,
      outcome: aborted ? 'aborted' : 'completed',
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      timeline,
      summary: rec.summary(unanswered),
      ...(idleReport ? { idle: idleReport } : {}),
    };
  }

  const done = run();
  return {
    done,
    abort() {
      if (aborted) return;
      aborted = true;
      if (recorder) recorder.frozen = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      wake();
      // Close every socket now rather than when run() gets there.
      void (driver as Driver | null)?.destroy();
      if (idle) {
        idleReport = idle.report();
        void idle.destroy();
      }
    },
  };
}
