/**
 * What must survive a restart of the process: the MPM and directives applied through the API,
 * the audit trail and the load-test runs. One SQLite file in the data directory, in WAL mode with
 * `synchronous = FULL`, so a change the API acknowledged is on disk.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEntry, DirectiveInput } from '@forkyard/protocol';
import { LoadTestTable } from './loadtests.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'forkyard.db';

/** The audit trail keeps this many newest entries; older ones are pruned as new ones arrive. */
export const AUDIT_KEEP = 100_000;
const PRUNE_EVERY = 1000;

/** The configuration applied through the API: restored before the pool starts. */
export interface StoredConfig {
  mpm?: string;
  directives?: Record<string, DirectiveInput>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'time'> & { time?: number };

interface AuditRow {
  id: number;
  time: number;
  actor: string;
  action: string;
  before: string | null;
  after: string | null;
  result: string;
  detail: string | null;
}

export class ControlStore {
  readonly path: string;
  /** Load-test runs and their results (store/loadtests.ts). */
  readonly loadTests: LoadTestTable;
  readonly #db: Database.Database;
  readonly #getConfig: Database.Statement<[string], { value: string }>;
  readonly #putConfig: Database.Statement<[string, string]>;
  readonly #insertAudit: Database.Statement<[number, string, string, string | null, string | null, string, string | null]>;
  readonly #pageAudit: Database.Statement<[number, number], AuditRow>;
  readonly #pruneAudit: Database.Statement<[number]>;

  constructor(path: string) {
    this.path = path;
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 2000');
    migrate(this.#db);
    this.loadTests = new LoadTestTable(this.#db);
    // Opened anew: a test still marked running was left by a process that is gone.
    this.loadTests.failInterrupted(Date.now());
    this.#getConfig = this.#db.prepare('SELECT value FROM config WHERE key = ?');
    this.#putConfig = this.#db.prepare('INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.#insertAudit = this.#db.prepare('INSERT INTO audit (time, actor, action, before, after, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#pageAudit = this.#db.prepare('SELECT * FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?');
    this.#pruneAudit = this.#db.prepare('DELETE FROM audit WHERE id <= ?');
  }

  loadConfig(): StoredConfig {
    const out: StoredConfig = {};
    const mpm = this.#getConfig.get('mpm');
    if (mpm) out.mpm = JSON.parse(mpm.value) as string;
    const directives = this.#getConfig.get('directives');
    if (directives) out.directives = JSON.parse(directives.value) as Record<string, DirectiveInput>;
    return out;
  }

  /**
   * Records a change: the new configuration (when it was applied) and its audit entry, in one
   * transaction, so the trail never disagrees with what is stored.
   */
  recordChange(entry: NewAuditEntry, config?: StoredConfig): AuditEntry {
    return this.#db.transaction((): AuditEntry => {
      if (config?.mpm !== undefined) this.#putConfig.run('mpm', JSON.stringify(config.mpm));
      if (config?.directives !== undefined) this.#putConfig.run('directives', JSON.stringify(config.directives));
      const time = entry.time ?? Date.now();
      const info = this.#insertAudit.run(time, entry.actor, entry.action, json(entry.before), json(entry.after), entry.result, entry.detail ?? null);
      const id = Number(info.lastInsertRowid);
      if (id % PRUNE_EVERY === 0 && id > AUDIT_KEEP) this.#pruneAudit.run(id - AUDIT_KEEP);
      return { ...entry, id, time };
    })();
  }

  /** Newest first; `before` is an id from a previous page. */
  auditPage(limit: number, before?: number): { entries: AuditEntry[]; next: number | null } {
    const rows = this.#pageAudit.all(before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    const entries = rows.slice(0, limit).map(fromRow);
    return { entries, next: rows.length > limit ? entries[entries.length - 1]!.id : null };
  }

  /** What the connection runs with: for diagnostics and tests. */
  settings(): { journalMode: string; synchronous: string; schemaVersion: number } {
    const sync = this.#db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync] ?? String(sync),
      schemaVersion: this.#db.pragma('user_version', { simple: true }) as number,
    };
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    time: row.time,
    actor: row.actor,
    action: row.action,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
    result: row.result,
    ...(row.detail === null ? {} : { detail: row.detail }),
  };
}

/** Opens (creating it if needed) the store in `dataDir`. */
export function openStore(dataDir: string): ControlStore {
  mkdirSync(dataDir, { recursive: true });
  return new ControlStore(join(dataDir, DATABASE_FILE));
}
