import type { MpmName } from '../scoreboard/types.js';
import { DEPRECATED_NAMES, DIRECTIVES, directiveDef } from './table.js';
import type { DirectiveDef, DirectiveError, DirectiveName, DirectiveValue, Directives } from './types.js';

/**
 * Turns raw name → value pairs (config file, REST body, CLI `--set Name=value` strings) into
 * typed directive values. Syntax only: httpd's startup adjustments are adjust.ts's job.
 * Every error is reported, not just the first.
 *
 * @see httpd server/config.c ap_process_resource_config (unknown directives), each MPM's *_cmds
 */

export interface ParseResult {
  values: Partial<Directives>;
  errors: DirectiveError[];
  /** INFO-level notes: deprecated spellings, directives the MPM ignores. Never a reason to refuse. */
  notes: string[];
}

export function parseDirectives(raw: Record<string, unknown>, mpm: MpmName): ParseResult {
  const values: Partial<Record<DirectiveName, DirectiveValue>> = {};
  const errors: DirectiveError[] = [];
  const notes: string[] = [];

  for (const [given, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const old = Object.hasOwn(DEPRECATED_NAMES, given) ? DEPRECATED_NAMES[given] : undefined;
    const def = directiveDef(old ? old.name : given);
    if (!def) {
      errors.push(unknownError(given));
      continue;
    }
    const result = parseValue(def, given, value, mpm);
    if ('error' in result) {
      errors.push(result.error);
      continue;
    }
    values[def.name] = result.value;
    if (old) notes.push(`${old.ids[mpm]}: ${given} is deprecated, use ${def.name} instead.`);
    // Only a value the operator changed: a form that posts every directive gets no noise.
    if (!def.mpms.includes(mpm) && result.value !== def.defaults[mpm]) {
      notes.push(`${def.name} does not apply to the ${mpm} MPM and is ignored; it is kept for ${def.mpms.join(' and ')}.`);
    }
  }
  return { values: values as Partial<Directives>, errors, notes };
}

type ValueResult = { value: DirectiveValue } | { error: DirectiveError };

function parseValue(def: DirectiveDef, given: string, value: unknown, mpm: MpmName): ValueResult {
  const parsed = coerce(def, value);
  if (parsed === undefined) {
    return fail('FY_DIRECTIVE_TYPE', given, `${given} must be ${expectation(def)}, got ${show(value)}: ${typeFix(def, mpm)}`);
  }
  if (typeof parsed === 'boolean') return { value: parsed };
  if (def.exclusiveMin !== undefined && parsed <= def.exclusiveMin) {
    // httpd's own wording (event.c set_worker_factor), the only exclusive bound in the table.
    return fail('FY_DIRECTIVE_RANGE', given, `${given} argument must be a positive number, got ${show(value)}: set it to a value such as ${String(def.defaults[mpm])}`);
  }
  if (def.min !== undefined && parsed < def.min) {
    return fail('FY_DIRECTIVE_RANGE', given, `${given} must be ${expectation(def)}, got ${show(value)}: set it to ${bound(def, def.min)} or more`);
  }
  if (def.max !== undefined && parsed > def.max) {
    return fail('FY_DIRECTIVE_RANGE', given, `${given} must be ${expectation(def)}, got ${show(value)}: set it to ${bound(def, def.max)} or less`);
  }
  return { value: parsed };
}

function fail(code: DirectiveError['code'], directive: string, message: string): ValueResult {
  return { error: { code, directive, message } };
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
/** httpd's ap_timeout_parameter_parse units (default seconds), with decimals allowed. */
const DURATION = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(ms|s|mi|min|h)?$/i;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, mi: 60, min: 60, h: 3600 };

/** The typed value, or undefined when the value is not of the directive's kind. */
function coerce(def: DirectiveDef, value: unknown): DirectiveValue | undefined {
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (def.kind) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const word = text?.toLowerCase();
      if (word === 'on' || word === 'true') return true;
      if (word === 'off' || word === 'false') return false;
      return undefined;
    }
    case 'integer': {
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (text === undefined || !INTEGER.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
    }
    case 'duration': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      const m = text === undefined ? null : DURATION.exec(text);
      if (!m) return undefined;
      const unit = (m[2] ?? 's').toLowerCase();
      // Divided, not multiplied by 0.001, so that "9ms" is 0.009 and not 0.009000000000000001.
      return unit === 'ms' ? Number(m[1]) / 1000 : Number(m[1]) * (UNIT_SECONDS[unit] ?? 1);
    }
  }
}

/** "an integer from 0 to 200000", "a number > 0", … */
function expectation(def: DirectiveDef): string {
  const noun = {
    integer: 'an integer',
    number: 'a number',
    duration: 'a duration in seconds',
    boolean: 'On or Off',
  }[def.kind];
  if (def.kind === 'boolean') return noun;
  if (def.exclusiveMin !== undefined) return `${noun} > ${def.exclusiveMin}`;
  if (def.min !== undefined && def.max !== undefined) return `${noun} from ${def.min} to ${def.max}`;
  if (def.min !== undefined) return `${noun} ≥ ${def.min}`;
  if (def.max !== undefined) return `${noun} ≤ ${def.max}`;
  return noun;
}

function bound(def: DirectiveDef, n: number): string {
  return def.kind === 'duration' ? `${n}s` : String(n);
}

function typeFix(def: DirectiveDef, mpm: MpmName): string {
  const example = def.defaults[mpm];
  switch (def.kind) {
    case 'boolean':
      return 'set it to On or Off (true and false also work)';
    case 'integer':
      return `set it to a whole number such as ${String(example)}`;
    case 'number':
      return `set it to a number such as ${String(example)}`;
    case 'duration':
      return `set it to a number of seconds such as ${String(example)}, or a string such as "500ms" or "2s"`;
  }
}

/** A value as an operator would recognise it, on one line. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a value of type ${typeof value}`;
}

// Unknown names ---------------------------------------------------------------------------------

/** Current names and old spellings; an old spelling suggests its current name. */
const KNOWN: ReadonlyArray<readonly [spelling: string, suggest: DirectiveName]> = [
  ...DIRECTIVES.map((d) => [d.name, d.name] as const),
  ...Object.entries(DEPRECATED_NAMES).map(([old, { name }]) => [old, name] as const),
];

function unknownError(given: string): DirectiveError {
  const suggestion = suggest(given);
  const fix = suggestion
    ? `did you mean ${suggestion}?`
    : `remove it; Forkyard knows ${DIRECTIVES.map((d) => d.name).join(', ')}`;
  return { code: 'FY_DIRECTIVE_UNKNOWN', directive: given, message: `Unknown directive ${show(given)}: ${fix}` };
}

/**
 * The known name closest to a misspelling, ignoring case (so a wrong case is distance 0 and
 * always found); short names tolerate fewer edits.
 */
export function suggest(given: string): DirectiveName | undefined {
  const lower = given.toLowerCase();
  const allowed = lower.length <= 7 ? 1 : lower.length <= 15 ? 2 : 3;
  let best: DirectiveName | undefined;
  let bestDistance = allowed + 1;
  for (const [spelling, name] of KNOWN) {
    const d = editDistance(lower, spelling.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal-string-alignment distance: Levenshtein plus swaps of adjacent letters. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
