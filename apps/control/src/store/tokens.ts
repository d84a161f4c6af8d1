/**
 * Bearer tokens: one viewer and one operator token, generated on first start and kept in the
 * data directory (mode 0600). `FORKYARD_TOKEN` adds an operator token the operator chose.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '@forkyard/protocol';

export const TOKENS_FILE = 'tokens.json';

export interface TokenEntry {
  /** Who the audit trail names: operator, viewer, env-operator. */
  name: string;
  role: Role;
  token: string;
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The tokens of `dataDir`, created on first use. `created` is true when this call wrote them
 * (the CLI prints them then, and only then).
 */
export function loadOrCreateTokens(dataDir: string, envToken = process.env.FORKYARD_TOKEN): { tokens: TokenEntry[]; created: boolean; file: string } {
  const file = join(dataDir, TOKENS_FILE);
  let stored: { viewer: string; operator: string } | null = null;
  let created = false;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof parsed.viewer === 'string' && typeof parsed.operator === 'string' && parsed.viewer.length >= 16 && parsed.operator.length >= 16) {
      stored = { viewer: parsed.viewer, operator: parsed.operator };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
  }
  if (!stored) {
    stored = { viewer: generateToken(), operator: generateToken() };
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    created = true;
  }
  // Also when the file already existed with looser permissions.
  chmodSync(file, 0o600);
  const tokens: TokenEntry[] = [
    { name: 'viewer', role: 'viewer', token: stored.viewer },
    { name: 'operator', role: 'operator', token: stored.operator },
  ];
  if (envToken) tokens.push({ name: 'env-operator', role: 'operator', token: envToken });
  return { tokens, created, file };
}
