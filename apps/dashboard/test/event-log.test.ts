import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@forkyard/protocol';
import { appendLog, describeEvent, EVENT_LOG_LIMIT, withAuditBackfill, type LogEntry } from '../src/lib/event-log.js';

const entry = (id: number, time: number, action: string, after: unknown): AuditEntry => ({ id, time, actor: 'operator', action, before: null, after, result: 'ok' });

describe('event log', () => {
  it('says why a child exited and marks kills as warnings', () => {
    const line = describeEvent({ kind: 'exit', at: 1, slot: 0, pid: 7, generation: 1, mpm: 'worker', code: 0, signal: null, reason: 'recycled' });
    expect(line.text).toBe('child 7 exited: recycled (code 0)');
    expect(line.level).toBe('info');
    expect(describeEvent({ kind: 'exit', at: 1, slot: 0, pid: 7, generation: 1, mpm: 'worker', code: null, signal: 'SIGKILL', reason: 'killed' }).level).toBe('warn');
  });

  it('shows directive changes with httpd spellings of booleans', () => {
    const line = describeEvent({ kind: 'directives', at: 1, changes: [{ directive: 'KeepAlive', before: true, after: false }, { directive: 'MaxRequestWorkers', before: 16, after: 32 }] });
    expect(line.text).toBe('KeepAlive On → Off, MaxRequestWorkers 16 → 32');
  });

  it('puts the audit trail before what the stream said, oldest first, without repeats', () => {
    const live: LogEntry = { id: 1, at: 500, kind: 'spawn', level: 'info', marker: true, text: 'child 1 started' };
    const state = { log: [live], nextLogId: 2 };
    const page = [entry(2, 300, 'mpm.switch', { mpm: 'event', generation: 2 }), entry(1, 100, 'pool.graceful-restart', { generation: 1 })];
    const once = withAuditBackfill(state, page);
    expect(once.log.map((e) => e.text)).toEqual(['operator: pool.graceful-restart done — generation 1', 'operator: mpm.switch done — mpm event, generation 2', 'child 1 started']);
    expect(withAuditBackfill(once, page).log).toHaveLength(3);
    expect(new Set(once.log.map((e) => e.id)).size).toBe(3);
  });

  it('keeps at most EVENT_LOG_LIMIT lines', () => {
    let log: LogEntry[] = [];
    for (let i = 0; i < EVENT_LOG_LIMIT + 20; i++) log = appendLog(log, { id: i, at: i, kind: 'log', level: 'info', marker: false, text: String(i) });
    expect(log).toHaveLength(EVENT_LOG_LIMIT);
    expect(log[0]!.text).toBe('20');
  });
});
