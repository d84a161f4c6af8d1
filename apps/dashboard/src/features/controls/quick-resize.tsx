/**
 * Quick resize: one step up or down for MaxRequestWorkers (a child's worth of threads) and, for
 * the threaded MPMs, ThreadsPerChild. Each step is validated first, so httpd's adjustments show
 * in the confirmation (asked when capacity drops) and in the outcome.
 */
import type { DirectivesState } from '@forkyard/protocol';
import { patchDirectives, validateDirectives, ApiError } from '../../lib/api.js';
import { useDirectivesState } from '../../lib/directives-state.js';
import { capacityChange } from '../../lib/capacity.js';
import { confirmAction } from '../../components/confirm-dialog.js';
import type { OutcomeValue } from '../../components/outcome.js';

interface Step {
  name: 'MaxRequestWorkers' | 'ThreadsPerChild';
  label: string;
  step: (d: DirectivesState) => number;
}

const STEPS: Step[] = [
  { name: 'MaxRequestWorkers', label: 'Max request workers', step: (d) => Math.max(1, Number(d.effective.ThreadsPerChild ?? 1)) },
  { name: 'ThreadsPerChild', label: 'Threads per child', step: () => 1 },
];

export function QuickResize({ disabled, reason, onOutcome }: { disabled: boolean; reason: string | null; onOutcome: (o: OutcomeValue) => void }) {
  const { state } = useDirectivesState();
  if (!state) return null;
  const steps = STEPS.filter((s) => s.name !== 'ThreadsPerChild' || state.mpm !== 'prefork');

  const resize = async (s: Step, dir: -1 | 1) => {
    const current = Number(state.effective[s.name]);
    const target = Math.max(1, current + dir * s.step(state));
    if (target === current) return;
    const body = { [s.name]: target };
    try {
      const check = await validateDirectives(body);
      const change = capacityChange(state.effective, check.effective);
      const warnings = check.warnings.map((w) => `${w.id}: ${w.message}`);
      if (change.drops || check.newGeneration) {
        const ok = await confirmAction({
          title: `${s.name} ${current} → ${target}?`,
          body: check.newGeneration ? 'This rolls a new generation of children; the current ones finish what they hold, then exit.' : 'Maintenance applies it on its next tick.',
          details: [...change.lines, ...warnings],
          confirmLabel: 'Resize',
          danger: change.drops,
        });
        if (!ok) return;
      }
      onOutcome({ kind: 'pending', text: `Setting ${s.name} to ${target}…` });
      const r = await patchDirectives(body);
      onOutcome({
        kind: 'ok',
        text: `${s.name} is ${r.effective[s.name]}${r.newGeneration ? `; generation ${r.generation} rolling` : ''}.`,
        details: r.warnings.map((w) => `${w.id}: ${w.message}`),
      });
    } catch (err) {
      onOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err), details: err instanceof ApiError ? err.problem?.errors.map((e) => e.message) : undefined });
    }
  };

  return (
    <div className="resize" role="group" aria-label="Quick resize">
      {steps.map((s) => (
        <div className="control-row stepper" key={s.name}>
          <span className="stepper-label" id={`rs-${s.name}`}>{s.label}</span>
          <button type="button" className="btn small" aria-label={`Decrease ${s.name}`} disabled={disabled} title={reason ?? undefined} onClick={() => void resize(s, -1)}>−</button>
          <output className="num" aria-labelledby={`rs-${s.name}`}>{String(state.effective[s.name] ?? '—')}</output>
          <button type="button" className="btn small" aria-label={`Increase ${s.name}`} disabled={disabled} title={reason ?? undefined} onClick={() => void resize(s, 1)}>+</button>
        </div>
      ))}
    </div>
  );
}
