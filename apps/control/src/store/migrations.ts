/**
 * The control plane's SQLite schema, versioned with `PRAGMA user_version`: migration N takes a
 * database from version N − 1 to N, each in its own transaction. Never edit a published
 * migration; add the next one.
 */

import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  // 1: the applied configuration (one row per key, JSON values) and the audit trail.
  `CREATE TABLE config (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT;
   CREATE TABLE audit (
     id     INTEGER PRIMARY KEY AUTOINCREMENT,
     time   INTEGER NOT NULL,
     actor  TEXT NOT NULL,
     action TEXT NOT NULL,
     before TEXT,
     after  TEXT,
     result TEXT NOT NULL,
     detail TEXT
   ) STRICT;`,
  // 2: load tests, newest first by seq; spec, runs (pool state + loadgen result) and the
  // comparison as JSON.
  `CREATE TABLE loadtests (
     seq        INTEGER PRIMARY KEY AUTOINCREMENT,
     id         TEXT NOT NULL UNIQUE,
     kind       TEXT NOT NULL,
     status     TEXT NOT NULL,
     actor      TEXT NOT NULL,
     scenario   TEXT NOT NULL,
     spec       TEXT NOT NULL,
     target     TEXT NOT NULL,
     mpm        TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     ended_at   INTEGER,
     runs       TEXT NOT NULL,
     comparison TEXT,
     error      TEXT
   ) STRICT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `db` up to SCHEMA_VERSION; refuses a database written by a newer Forkyard. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw Object.assign(new Error(`the database has schema version ${current}, newer than this Forkyard's ${SCHEMA_VERSION}: upgrade Forkyard or use another --data-dir`), {
      code: 'FY_STORE_VERSION',
    });
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
