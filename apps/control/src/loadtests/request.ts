/**
 * A start request's body → a complete spec and a target, or every field error at once. The
 * scenario's fields are @forkyard/loadgen's `validateSpec`; `target` and `compare` are ours.
 * Pure.
 *
 * Targets: the pool's own data-plane listener (the default), or an address the operator
 * allow-listed when starting the control plane (`--loadtest-allow host:port`). Any other
 * address, loopback included, is refused: the control plane must not be a way to flood a
 * server that is not the one it runs.
 */

import { checkTarget, validateSpec, type LoadTestSpec } from '@forkyard/loadgen';
import type { ProblemFieldError } from '@forkyard/protocol';
import { ProblemError } from '../plugins/problem.js';

export interface StartRequest {
  spec: LoadTestSpec;
  /** The origin to send to. */
  target: string;
  compare: boolean;
}

export interface TargetRules {
  /** The pool's own listener, e.g. http://127.0.0.1:8080. */
  own: string;
  /** Other spellings of the same listener (localhost:port, 127.0.0.1:port). */
  aliases?: readonly string[];
  allowList: readonly string[];
}

/** The base URL of a data-plane listener bound to `address:port` (a wildcard bind is reached on loopback). */
export function ownTarget(address: { address: string; port: number; family: string } | null): string | null {
  if (!address) return null;
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** The same listener as `localhost` or 127.0.0.1, when it is bound to loopback or every address. */
export function ownAliases(address: { address: string; port: number } | null): string[] {
  if (!address) return [];
  const local = address.address === '0.0.0.0' || address.address === '::' || address.address.startsWith('127.') || address.address === '::1';
  return local ? [`http://localhost:${address.port}`, `http://127.0.0.1:${address.port}`, `http://[::1]:${address.port}`] : [];
}

/**
 * @param forceCompare the body came to /loadtests/compare
 * @throws ProblemError FY_VALIDATION with every field error, or FY_LOADTEST_TARGET_REFUSED
 */
export function parseStartBody(body: unknown, rules: TargetRules, forceCompare: boolean): StartRequest {
  const errors: ProblemFieldError[] = [];
  let specInput: unknown = body;
  let targetText: unknown;
  let compareValue: unknown;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { target, compare, ...rest } = body as Record<string, unknown>;
    specInput = rest;
    targetText = target;
    compareValue = compare;
  }
  if (compareValue !== undefined && typeof compareValue !== 'boolean') errors.push({ field: 'compare', code: 'FY_TYPE', message: 'compare must be true or false' });
  const compare = forceCompare || compareValue === true;

  const validation = validateSpec(specInput);
  if (!validation.ok) errors.push(...validation.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })));

  let target = rules.own;
  let refused: string | null = null;
  if (targetText !== undefined) {
    if (typeof targetText !== 'string') errors.push({ field: 'target', code: 'FY_TYPE', message: 'target must be a base URL such as http://127.0.0.1:8080' });
    else {
      const own = checkTarget(targetText, [rules.own, ...(rules.aliases ?? [])], { anyLoopback: false });
      const check = own.ok ? own : checkTarget(targetText, rules.allowList, { anyLoopback: false });
      if (!check.ok && check.code === 'FY_LOADTEST_TARGET_URL') errors.push({ field: 'target', code: 'FY_FORMAT', message: check.message });
      else if (!check.ok) refused = `${check.message}: start the control plane with --loadtest-allow ${safeHost(targetText)} to allow it`;
      else if (compare && !own.ok) {
        errors.push({ field: 'target', code: 'FY_LOADTEST_COMPARE_TARGET', message: "a compare switches this pool's MPM between runs, so it runs against the pool's own listener: leave target out" });
      } else target = check.origin;
    }
  }

  if (errors.length > 0) throw new ProblemError('FY_VALIDATION', errors.length === 1 ? errors[0]!.message : `${errors.length} fields are invalid`, errors);
  if (refused !== null) throw new ProblemError('FY_LOADTEST_TARGET_REFUSED', refused);
  return { spec: (validation as { ok: true; spec: LoadTestSpec }).spec, target, compare };
}

function safeHost(text: string): string {
  try {
    return new URL(text).host;
  } catch {
    return 'host:port';
  }
}
