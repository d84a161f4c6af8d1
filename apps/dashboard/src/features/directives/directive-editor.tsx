/**
 * The Directives region, generated from the engine's directive table (type, range, default,
 * help). Every edit is validated through the API as you type (nothing is applied), so httpd's
 * adjustments and warnings are on screen before Apply; Apply asks first when capacity drops.
 */
import { useEffect, useMemo, useState } from 'react';
import type { DirectivesValidation, ProblemFieldError } from '@forkyard/protocol';
import { useDirectivesState, refreshDirectives } from '../../lib/directives-state.js';
import { patchDirectives, validateDirectives, ApiError } from '../../lib/api.js';
import { useCanChange } from '../../lib/use-can-change.js';
import { capacityChange } from '../../lib/capacity.js';
import { confirmAction } from '../../components/confirm-dialog.js';
import { Outcome, type OutcomeValue } from '../../components/outcome.js';
import { draftBody, rangeText, shownValue, type Draft } from './directive-draft.js';

const VALIDATE_DELAY_MS = 250;

type Check = { kind: 'idle' } | { kind: 'checking' } | { kind: 'ok'; result: DirectivesValidation } | { kind: 'invalid'; errors: ProblemFieldError[]; message: string };

export function DirectiveEditor() {
  const { state, error } = useDirectivesState();
  const can = useCanChange();
  const [draft, setDraft] = useState<Draft>({});
  const [showAll, setShowAll] = useState(false);
  const [check, setCheck] = useState<Check>({ kind: 'idle' });
  const [outcome, setOutcome] = useState<OutcomeValue | null>(null);
  const [applying, setApplying] = useState(false);

  const body = useMemo(() => (state ? draftBody(draft, state.values, state.table) : {}), [draft, state]);
  const bodyKey = JSON.stringify(body);
  const dirty = Object.keys(body).length > 0;

  useEffect(() => {
    if (!dirty) {
      setCheck({ kind: 'idle' });
      return;
    }
    const ctl = new AbortController();
    setCheck({ kind: 'checking' });
    const t = setTimeout(() => {
      validateDirectives(JSON.parse(bodyKey) as Record<string, never>, ctl.signal).then(
        (result) => setCheck({ kind: 'ok', result }),
        (err: unknown) => {
          if ((err as Error).name === 'AbortError') return;
          if (err instanceof ApiError && err.problem) setCheck({ kind: 'invalid', errors: err.problem.errors, message: err.problem.detail });
          else setCheck({ kind: 'invalid', errors: [], message: (err as Error).message });
        },
      );
    }, VALIDATE_DELAY_MS);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [bodyKey, dirty]);

  if (!state) {
    return (
      <section className="panel directives" aria-label="Directives">
        <header className="panel-head"><h2>Directives</h2></header>
        <p className="placeholder">{error ?? 'Loading the directive table…'}</p>
      </section>
    );
  }

  const fieldErrors = new Map((check.kind === 'invalid' ? check.errors : []).map((e) => [e.field, e.message]));
  const result = check.kind === 'ok' ? check.result : null;
  const entries = state.table.filter((e) => showAll || e.applies);

  const apply = async () => {
    if (!result) return;
    const change = capacityChange(state.effective, result.effective);
    if (change.drops || result.newGeneration) {
      const ok = await confirmAction({
        title: 'Apply these directives?',
        body: result.newGeneration ? 'This rolls a new generation of children; the current ones finish what they hold, then exit.' : 'Maintenance applies them on its next tick.',
        details: [...change.lines, ...result.warnings.map((w) => `${w.id}: ${w.message}`)],
        confirmLabel: 'Apply',
        danger: change.drops,
      });
      if (!ok) return;
    }
    setApplying(true);
    setOutcome({ kind: 'pending', text: 'Applying…' });
    try {
      const r = await patchDirectives(body);
      setOutcome({
        kind: 'ok',
        text: `Applied${r.newGeneration ? `; generation ${r.generation} rolling` : ''}.`,
        details: [...r.warnings.map((w) => `${w.id}: ${w.message}`), ...r.notes],
      });
      setDraft({});
      await refreshDirectives();
    } catch (err) {
      setOutcome({ kind: 'error', text: err instanceof ApiError ? err.message : String(err), details: err instanceof ApiError ? err.problem?.errors.map((e) => `${e.field}: ${e.message}`) : undefined });
    } finally {
      setApplying(false);
    }
  };

  return (
    <section className="panel directives" aria-label="Directives">
      <header className="panel-head">
        <h2>Directives</h2>
        <label className="toggle">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> show other MPMs’
        </label>
      </header>
      {!can.allowed && <p className="readonly-note">{can.reason}</p>}
      <form
        className="directive-form"
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <div className="directive-list">
          {entries.map((entry) => {
            const id = `d-${entry.name}`;
            const value = draft[entry.name] ?? shownValue(state.values[entry.name]);
            const effective = result ? result.effective[entry.name] : state.effective[entry.name];
            const adjusted = result && entry.name in body && shownValue(result.effective[entry.name]) !== shownValue(body[entry.name]);
            const err = fieldErrors.get(entry.name);
            const changed = entry.name in body;
            return (
              <div key={entry.name} className={`directive ${changed ? 'changed' : ''} ${err ? 'invalid' : ''} ${entry.applies ? '' : 'inapplicable'}`}>
                <label htmlFor={id} title={entry.help}>{entry.name}</label>
                {entry.kind === 'boolean' ? (
                  <select id={id} value={value} disabled={!entry.applies} aria-describedby={`${id}-help`} aria-invalid={err ? true : undefined} onChange={(e) => setDraft({ ...draft, [entry.name]: e.target.value })}>
                    <option value="On">On</option>
                    <option value="Off">Off</option>
                  </select>
                ) : (
                  <input
                    id={id}
                    inputMode={entry.kind === 'duration' ? 'text' : 'decimal'}
                    value={value}
                    disabled={!entry.applies}
                    aria-describedby={`${id}-help`}
                    aria-invalid={err ? true : undefined}
                    onChange={(e) => setDraft({ ...draft, [entry.name]: e.target.value })}
                    spellCheck={false}
                  />
                )}
                <span className="d-meta">
                  {rangeText(entry)} · default {shownValue(entry.default)}
                  {entry.apply === 'generation' ? ' · rolls a generation' : entry.apply === 'restart' ? ' · fixed until restart' : ''}
                </span>
                <span id={`${id}-help`} className="d-help">
                  {entry.help}
                  {!entry.applies && ` (not used by ${state.mpm})`}
                </span>
                {err && <span className="field-error" role="alert">{err}</span>}
                {!err && adjusted && <span className="d-adjusted">httpd adjusts it to {shownValue(effective)}</span>}
              </div>
            );
          })}
        </div>
        <div className="validation" role="status" aria-live="polite" aria-label="Validation">
          {check.kind === 'checking' && <p className="muted">Checking…</p>}
          {check.kind === 'invalid' && <p className="field-error">{check.message}</p>}
          {result && (
            <>
              <p>{result.newGeneration ? 'Valid. Applying rolls a new generation of children.' : 'Valid. Applies on the next maintenance tick.'}</p>
              {result.warnings.length > 0 && (
                <ul className="warnings" aria-label="httpd warnings">
                  {result.warnings.map((w) => (
                    <li key={`${w.id}-${w.directive}`}><code>{w.id}</code> {w.message}</li>
                  ))}
                </ul>
              )}
              {result.notes.length > 0 && (
                <ul className="notes">
                  {result.notes.map((n) => <li key={n}>{n}</li>)}
                </ul>
              )}
            </>
          )}
          {state.warnings.length > 0 && !dirty && (
            <ul className="warnings" aria-label="Current httpd warnings">
              {state.warnings.map((w) => (
                <li key={`${w.id}-${w.directive}`}><code>{w.id}</code> {w.message}</li>
              ))}
            </ul>
          )}
        </div>
        <div className="form-actions">
          <button type="button" className="btn ghost" disabled={!dirty || applying} onClick={() => setDraft({})}>Reset</button>
          <button type="submit" className="btn primary" disabled={!can.allowed || !dirty || check.kind !== 'ok' || applying} title={can.reason ?? undefined}>
            Apply
          </button>
        </div>
        <Outcome value={outcome} label="Directive change result" />
      </form>
    </section>
  );
}
