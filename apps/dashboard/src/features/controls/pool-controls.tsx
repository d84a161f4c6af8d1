/**
 * The Pool region: MPM switch, quick resize, graceful restart, and the roll of generations as
 * it happens. Every change that drops capacity (or rolls every child) asks first and says how
 * it went.
 */
import { useState } from 'react';
import type { MpmName } from '@forkyard/protocol';
import { useDashboard } from '../../lib/store.js';
import { useCanChange } from '../../lib/use-can-change.js';
import { gracefulRestart, switchMpm, ApiError } from '../../lib/api.js';
import { confirmAction } from '../../components/confirm-dialog.js';
import { Outcome, type OutcomeValue } from '../../components/outcome.js';
import { GenerationRoll } from './generation-roll.js';
import { QuickResize } from './quick-resize.js';

const MPMS: Array<{ name: MpmName; text: string }> = [
  { name: 'prefork', text: 'prefork: one connection per child process' },
  { name: 'worker', text: 'worker: threads; a connection holds its thread' },
  { name: 'event', text: 'event: threads; idle keep-alive is parked' },
];

export function PoolControls() {
  const mpm = useDashboard((s) => s.stream.snapshot?.mpm ?? null);
  const can = useCanChange();
  const [outcome, setOutcome] = useState<OutcomeValue | null>(null);
  const [busy, setBusy] = useState(false);

  const onSwitch = async (target: MpmName) => {
    if (!mpm || target === mpm) return;
    const ok = await confirmAction({
      title: `Switch from ${mpm} to ${target}?`,
      body: `A new generation of ${target} children starts; the ${mpm} children stop taking connections, finish what they hold and exit. No request that reached the pool fails.`,
      details: ['Capacity follows the new MPM’s directives (httpd’s defaults unless set).', 'Kept-alive connections to old children are closed after their current request.'],
      confirmLabel: `Switch to ${target}`,
    });
    if (!ok) return;
    setBusy(true);
    setOutcome({ kind: 'pending', text: `Switching to ${target}…` });
    try {
      const r = await switchMpm(target);
      setOutcome({ kind: 'ok', text: `Now ${r.mpm}, generation ${r.generation}.`, details: r.warnings.map((w) => `${w.id}: ${w.message}`) });
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  const onRestart = async () => {
    const ok = await confirmAction({
      title: 'Graceful restart?',
      body: 'A new generation of children starts; the current ones finish what they hold, then exit.',
      details: ['Spawning is not doubled for 10 maintenance ticks afterwards (httpd’s rule), so capacity may briefly be lower.'],
      confirmLabel: 'Restart gracefully',
    });
    if (!ok) return;
    setBusy(true);
    setOutcome({ kind: 'pending', text: 'Restarting gracefully…' });
    try {
      const r = await gracefulRestart();
      setOutcome({ kind: 'ok', text: `Graceful restart done: generation ${r.generation}.` });
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel controls" aria-label="Pool">
      <header className="panel-head">
        <h2>Pool</h2>
      </header>
      {!can.allowed && <p className="readonly-note">{can.reason}</p>}
      <div className="control-row">
        <label htmlFor="mpm-select">MPM</label>
        <select id="mpm-select" aria-label="MPM" value={mpm ?? ''} disabled={!can.allowed || busy || !mpm} onChange={(e) => void onSwitch(e.target.value as MpmName)} title={can.reason ?? undefined}>
          {MPMS.map((m) => (
            <option key={m.name} value={m.name}>{m.text}</option>
          ))}
        </select>
      </div>
      <GenerationRoll />
      <QuickResize disabled={!can.allowed || busy} reason={can.reason} onOutcome={setOutcome} />
      <div className="control-row">
        <button type="button" className="btn" disabled={!can.allowed || busy} title={can.reason ?? undefined} onClick={() => void onRestart()}>
          Graceful restart
        </button>
      </div>
      <Outcome value={outcome} label="Pool change result" />
    </section>
  );
}
