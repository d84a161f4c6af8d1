/**
 * The one error class the package throws, with a stable code and, for a bad spec, every field
 * error. Plain `{ code, message }` from the load thread is rebuilt into it.
 */

import type { FieldError } from './spec/validate.js';

export const LOADGEN_ERROR_CODES = {
  /** The spec has field errors (see `errors`). */
  validation: 'FY_VALIDATION',
  /** The target is not a usable base URL. */
  targetUrl: 'FY_LOADTEST_TARGET_URL',
  /** The target is not loopback and not allow-listed. */
  targetRefused: 'FY_LOADTEST_TARGET_REFUSED',
  /** The load thread failed or exited without a result. */
  failed: 'FY_LOADTEST_FAILED',
  /** An aborted run's thread did not stop in time and was terminated: no result. */
  abortTimeout: 'FY_LOADTEST_ABORT_TIMEOUT',
} as const;

export type LoadgenErrorCode = (typeof LOADGEN_ERROR_CODES)[keyof typeof LOADGEN_ERROR_CODES];

export class LoadgenError extends Error {
  override readonly name = 'LoadgenError';

  constructor(
    readonly code: LoadgenErrorCode | (string & {}),
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string; errors: FieldError[] } {
    return { code: this.code, message: this.message, errors: this.errors };
  }
}
