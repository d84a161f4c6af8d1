/**
 * The Load tests region: pick a scenario, run it against the pool (or the same scenario under
 * prefork, worker and event in turn), follow it second by second from the stream, abort it,
 * and compare results in the history table, one column group per MPM run.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { LoadTestPage, LoadTestStartBody, LoadTestSummary } from '@forkyard/protocol';
import { abortLoadTest, loadTestHistory, startLoadTest, ApiError } from '../../lib/api.js';
import { useDashboard } from '../../lib/store.js';
import { useCanChange } from '../../lib/use-can-change.js';
import { formatClock } from '../../lib/format.js';
import { Outcome, type OutcomeValue } from '../../components/outcome.js';

const SCENARIOS = [
  { name: 'hello', text: 'hello: keep-alive GET /', steady: true },
  { name: 'connection-per-request', text: 'connection per request', steady: true },
  { name: 'slow', text: 'slow handler (/sleep)', steady: true },
  { name: 'cpu', text: 'CPU-bound handler (/cpu)', steady: true },
  { name: 'idle-keepalive', text: 'idle keep-alive clients + probes', steady: false },
  { name: 'ramp', text: 'ramp (rising load)', steady: false },
] as const;

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v < 10 ? v.toFixed(2) : Math.round(v)} ms`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));

function useHistory(): LoadTestPage | null {
  const [page, setPage] = useState<LoadTestPage | null>(null);
  const ended = useDashboard((s) => (s.loadTest && s.loadTest.phase !== 'progress' ? `${s.loadTest.id}/${s.loadTest.phase}` : ''));
  useEffect(() => {
    let live = true;
    loadTestHistory().then((p) => live && setPage(p), () => undefined);
    return () => {
      live = false;
    };
  }, [ended]);
  return page;
}

function Running() {
  const t = useDashboard((s) => s.loadTest);
  const can = useCanChange();
  const [outcome, setOutcome] = useState<OutcomeValue | null>(null);
  if (!t || !(t.phase === 'started' || t.phase === 'run' || t.phase === 'progress')) return <Outcome value={outcome} label="Load test abort result" />;
  const done = t.second && t.seconds ? Math.min(1, t.second / t.seconds) : 0;
  const abort = async () => {
    try {
      await abortLoadTest(t.id);
      setOutcome({ kind: 'ok', text: 'Load test aborted.' });
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    }
  };
  return (
    <div className="lt-running" role="status" aria-label="Running load test">
      <div className="lt-running-head">
        <strong>{t.scenario}</strong>
        <span className="muted">
          {t.testKind === 'compare' ? `run ${t.run + 1}/3 · ` : ''}under {t.mpm}
        </span>
        <button type="button" className="btn small danger" disabled={!can.allowed} onClick={() => void abort()}>
          Abort
        </button>
      </div>
      <div className="roll-bar" aria-hidden="true">
        <span className="new" style={{ flexGrow: done }} />
        <span style={{ flexGrow: 1 - done }} />
      </div>
      <p className="num lt-figures">
        second {t.second ?? 0}/{t.seconds ?? '?'} · {num(t.rps)} req/s · p50 {ms(t.p50)} · p99 {ms(t.p99)} · {t.errors ?? 0} errors
        {t.connections !== undefined ? ` · ${t.connections} connections` : ''}
      </p>
    </div>
  );
}

function HistoryRow({ t }: { t: LoadTestSummary }) {
  return (
    <tr>
      <td className="num">{formatClock(t.createdAt)}</td>
      <td>
        {t.scenario}
        {t.kind === 'compare' ? ' (compare)' : ''}
      </td>
      <td className={`lt-status lt-${t.status}`}>{t.status}</td>
      <td>
        <ul className="lt-runs">
          {t.runs.map((r, i) => (
            <li key={i}>
              <span className="lt-mpm">{r.mpm}</span>
              <span className="num">{num(r.throughput)} req/s</span>
              <span className="num">p50 {ms(r.p50)}</span>
              <span className="num">p99 {ms(r.p99)}</span>
              <span className="num">{num(r.errors)} err</span>
            </li>
          ))}
          {t.error && <li className="field-error">{t.error.message}</li>}
        </ul>
      </td>
    </tr>
  );
}

export function LoadTestPanel() {
  const can = useCanChange();
  const running = useDashboard((s) => s.loadTest !== null && ['started', 'run', 'progress'].includes(s.loadTest.phase));
  const history = useHistory();
  const [scenario, setScenario] = useState<string>('hello');
  const [connections, setConnections] = useState('16');
  const [seconds, setSeconds] = useState('10');
  const [outcome, setOutcome] = useState<OutcomeValue | null>(null);
  const steady = SCENARIOS.find((s) => s.name === scenario)?.steady ?? true;

  const start = async (compare: boolean, e?: FormEvent, preset?: LoadTestStartBody) => {
    e?.preventDefault();
    const body: LoadTestStartBody = preset ?? { scenario };
    if (!preset && steady) body.connections = Number(connections);
    if (!preset && scenario !== 'ramp') body.durationSeconds = Number(seconds);
    if (compare) body.compare = true;
    setOutcome({ kind: 'pending', text: compare ? 'Starting the comparison…' : 'Starting…' });
    try {
      const r = await startLoadTest(body);
      setOutcome({ kind: 'ok', text: `Load test ${r.id} started${compare ? ': prefork, worker, then event (the MPM is restored at the end)' : ''}.` });
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err), details: err instanceof ApiError ? err.problem?.errors.map((f) => `${f.field}: ${f.message}`) : undefined });
    }
  };

  return (
    <section className="panel loadtests" aria-label="Load tests">
      <header className="panel-head">
        <h2>Load tests</h2>
      </header>
      {!can.allowed && <p className="readonly-note">{can.reason}</p>}
      <form className="lt-form" onSubmit={(e) => void start(false, e)}>
        <label htmlFor="lt-scenario">Scenario</label>
        <select id="lt-scenario" value={scenario} onChange={(e) => setScenario(e.target.value)}>
          {SCENARIOS.map((s) => (
            <option key={s.name} value={s.name}>{s.text}</option>
          ))}
        </select>
        <label htmlFor="lt-connections">Connections</label>
        <input id="lt-connections" inputMode="numeric" value={connections} disabled={!steady} onChange={(e) => setConnections(e.target.value)} />
        <label htmlFor="lt-seconds">Seconds</label>
        <input id="lt-seconds" inputMode="numeric" value={seconds} disabled={scenario === 'ramp'} onChange={(e) => setSeconds(e.target.value)} />
        <div className="lt-actions">
          <button type="submit" className="btn primary" disabled={!can.allowed || running} title={can.reason ?? undefined}>
            Run
          </button>
          <button type="button" className="btn" disabled={!can.allowed || running} title={can.reason ?? undefined} onClick={() => void start(true)}>
            Run under all three MPMs
          </button>
          <button
            type="button"
            className="btn"
            disabled={!can.allowed || running}
            title={can.reason ?? 'Idle keep-alive clients plus probe requests under prefork, worker and event in turn: watch K fill the grid and probes stall under prefork and worker, not under event'}
            onClick={() => void start(true, undefined, { scenario: 'idle-keepalive', durationSeconds: 10 })}
          >
            Keep-alive showcase
          </button>
        </div>
      </form>
      <Outcome value={outcome} label="Load test start result" />
      <Running />
      <table className="lt-history" aria-label="Load-test history">
        <thead>
          <tr>
            <th>Started</th>
            <th>Scenario</th>
            <th>Status</th>
            <th>Runs (throughput, latency, errors)</th>
          </tr>
        </thead>
        <tbody>
          {history === null || history.tests.length === 0 ? (
            <tr>
              <td colSpan={4} className="hint">{history === null ? 'Loading…' : 'No load tests yet.'}</td>
            </tr>
          ) : (
            history.tests.map((t) => <HistoryRow key={t.id} t={t} />)
          )}
        </tbody>
      </table>
    </section>
  );
}
