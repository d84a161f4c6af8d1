/**
 * Which kind of error a failed request counts as. undici wraps socket errors (`UND_ERR_SOCKET`)
 * and keeps the system error as `cause`, so the whole chain is read.
 */

import type { ErrorKind } from '../result/types.js';

const BY_CODE: Record<string, ErrorKind> = {
  ECONNREFUSED: 'connectRefused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
};

export function classifyError(error: unknown): ErrorKind {
  let current: unknown = error;
  let fallback: ErrorKind = 'other';
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    const kind = typeof code === 'string' ? BY_CODE[code] : undefined;
    // A socket error whose cause names what happened (refused, timed out) is that, not a reset.
    if (kind && kind !== 'reset') return kind;
    if (kind) fallback = kind;
    current = cause;
  }
  return fallback;
}
