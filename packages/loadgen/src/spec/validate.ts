/**
 * `validateSpec`: any input (parsed JSON, a form, a CLI's flags) → a complete `LoadTestSpec`, or
 * every field error at once, each with a stable code. Pure: no I/O, no clock.
 */

import { DEFAULTS, LIMITS, SCENARIOS, type LoadTestSpec, type ScenarioName } from './types.js';

/** Stable field-error codes (shared with the control plane's problem documents). */
export const FIELD_ERROR_CODES = {
  /** A field that must be present is missing (only `scenario`). */
  required: 'FY_REQUIRED',
  /** Wrong JSON type: a string where a whole number is expected, … */
  type: 'FY_TYPE',
  /** A number outside its bounds. */
  range: 'FY_RANGE',
  /** A value outside a closed set (scenario, mode). */
  enum: 'FY_ENUM',
  /** A string in the wrong shape (a path that does not start with `/`). */
  format: 'FY_FORMAT',
  /** A field this scenario does not have. */
  unknownField: 'FY_UNKNOWN_FIELD',
  /** A ramp whose `from` is above its `to`. */
  rampOrder: 'FY_LOADTEST_RAMP_ORDER',
  /** A ramp whose steps add up to more than the longest run allowed. */
  tooLong: 'FY_LOADTEST_TOO_LONG',
} as const;

export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[keyof typeof FIELD_ERROR_CODES];

export interface FieldError {
  /** The input field (`connections`), or '' for the input as a whole. */
  field: string;
  code: FieldErrorCode;
  message: string;
}

export type SpecValidation = { ok: true; spec: LoadTestSpec } | { ok: false; errors: FieldError[] };

type Rule =
  | { kind: 'int'; min: number; max: number; unit?: string }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'bool' }
  | { kind: 'path' };

const int = (min: number, max: number, unit?: string): Rule => ({ kind: 'int', min, max, ...(unit ? { unit } : {}) });
const MODE: Rule = { kind: 'enum', values: ['closed', 'open'] };
const PATH: Rule = { kind: 'path' };

const STEADY: Record<string, Rule> = {
  mode: MODE,
  connections: int(1, LIMITS.connections),
  rate: int(1, LIMITS.rate, 'requests/s'),
  durationSeconds: int(1, LIMITS.durationSeconds, 's'),
  timeoutMs: int(100, LIMITS.timeoutMs, 'ms'),
};

/** Every field of every scenario and its bounds; `ramp`'s `from`/`to` are bounded by mode below. */
const FIELDS: { [K in ScenarioName]: Record<string, Rule> } = {
  hello: STEADY,
  'connection-per-request': STEADY,
  slow: { ...STEADY, sleepMs: int(0, LIMITS.sleepMs, 'ms') },
  cpu: { ...STEADY, cpuMs: int(0, LIMITS.cpuMs, 'ms') },
  'idle-keepalive': {
    idleClients: int(1, LIMITS.idleClients),
    reconnect: { kind: 'bool' },
    probeRate: int(1, LIMITS.probeRate, 'requests/s'),
    probePath: PATH,
    durationSeconds: int(1, LIMITS.durationSeconds, 's'),
    timeoutMs: int(100, LIMITS.timeoutMs, 'ms'),
  },
  ramp: {
    mode: MODE,
    from: int(1, LIMITS.rate),
    to: int(1, LIMITS.rate),
    steps: int(1, LIMITS.steps),
    stepSeconds: int(1, LIMITS.durationSeconds, 's'),
    connections: int(1, LIMITS.connections),
    path: PATH,
    timeoutMs: int(100, LIMITS.timeoutMs, 'ms'),
  },
};

/** An open-loop ramp's defaults are rates, not connection counts. */
const OPEN_RAMP_DEFAULTS = { from: 100, to: 2_000 } as const;

/** A path goes on the request line as is: no whitespace, no control characters. */
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return true;
  }
  return /\s/.test(text);
}

function checkField(field: string, rule: Rule, value: unknown): FieldError | null {
  switch (rule.kind) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return { field, code: FIELD_ERROR_CODES.type, message: `${field} must be a whole number` };
      }
      if (value < rule.min || value > rule.max) {
        const unit = rule.unit ? ` ${rule.unit}` : '';
        return { field, code: FIELD_ERROR_CODES.range, message: `${field} must be between ${rule.min} and ${rule.max}${unit} (got ${value})` };
      }
      return null;
    }
    case 'enum':
      if (typeof value !== 'string') return { field, code: FIELD_ERROR_CODES.type, message: `${field} must be a string` };
      if (!rule.values.includes(value)) {
        return { field, code: FIELD_ERROR_CODES.enum, message: `${field} must be one of ${rule.values.join(', ')} (got "${value}")` };
      }
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : { field, code: FIELD_ERROR_CODES.type, message: `${field} must be true or false` };
    case 'path':
      if (typeof value !== 'string') return { field, code: FIELD_ERROR_CODES.type, message: `${field} must be a string` };
      if (!value.startsWith('/') || value.length > LIMITS.pathLength || hasSpaceOrControl(value)) {
        return {
          field,
          code: FIELD_ERROR_CODES.format,
          message: `${field} must start with "/", hold no spaces or control characters and be at most ${LIMITS.pathLength} characters`,
        };
      }
      return null;
  }
}

/**
 * Checks `input` against its scenario's fields and bounds and fills in the defaults.
 * @returns the complete spec, or every error found (never only the first)
 */
export function validateSpec(input: unknown): SpecValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', code: FIELD_ERROR_CODES.type, message: 'a load-test spec must be a JSON object' }] };
  }
  const raw = input as Record<string, unknown>;
  if (raw.scenario === undefined) {
    return { ok: false, errors: [{ field: 'scenario', code: FIELD_ERROR_CODES.required, message: `scenario is required: one of ${SCENARIOS.join(', ')}` }] };
  }
  const scenarioError = checkField('scenario', { kind: 'enum', values: SCENARIOS }, raw.scenario);
  if (scenarioError) return { ok: false, errors: [scenarioError] };
  const scenario = raw.scenario as ScenarioName;

  const rules = FIELDS[scenario];
  const errors: FieldError[] = [];
  const defaults: Record<string, unknown> = { ...DEFAULTS[scenario] };
  if (scenario === 'ramp' && raw.mode === 'open') Object.assign(defaults, OPEN_RAMP_DEFAULTS);
  const spec: Record<string, unknown> = { ...defaults };

  for (const [field, value] of Object.entries(raw)) {
    if (field === 'scenario' || value === undefined) continue;
    const rule = rules[field];
    if (!rule) {
      errors.push({ field, code: FIELD_ERROR_CODES.unknownField, message: `${field} is not a parameter of the ${scenario} scenario` });
      continue;
    }
    const error = checkField(field, rule, value);
    if (error) errors.push(error);
    else spec[field] = value;
  }

  if (scenario === 'ramp') errors.push(...checkRamp(spec));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: spec as unknown as LoadTestSpec };
}

/** Cross-field rules of a ramp, on the fields that passed their own checks. */
function checkRamp(spec: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const open = spec.mode === 'open';
  const max = open ? LIMITS.rate : LIMITS.connections;
  const what = open ? 'requests/s' : 'connections';
  for (const field of ['from', 'to'] as const) {
    const value = spec[field] as number;
    if (value > max) {
      errors.push({ field, code: FIELD_ERROR_CODES.range, message: `${field} must be between 1 and ${max} ${what} in ${spec.mode} mode (got ${value})` });
    }
  }
  const from = spec.from as number;
  const to = spec.to as number;
  if (from > to) errors.push({ field: 'from', code: FIELD_ERROR_CODES.rampOrder, message: `from (${from}) must not be above to (${to})` });
  const total = (spec.steps as number) * (spec.stepSeconds as number);
  if (total > LIMITS.durationSeconds) {
    errors.push({
      field: 'stepSeconds',
      code: FIELD_ERROR_CODES.tooLong,
      message: `steps × stepSeconds is ${total} s, more than the ${LIMITS.durationSeconds} s a run may last`,
    });
  }
  return errors;
}

/** The load level of each step of a ramp: `steps` values evenly spread from `from` to `to`. */
export function rampLevels(from: number, to: number, steps: number): number[] {
  if (steps <= 1) return [to];
  return Array.from({ length: steps }, (_, i) => Math.round(from + ((to - from) * i) / (steps - 1)));
}
