/** `forkyard status` as text: the snapshot's globals, counts and one line per child slot. */
import type { MpmName, StatusSnapshot } from '@forkyard/protocol';

export const MPM_NAMES_LIST: readonly MpmName[] = ['prefork', 'worker', 'event'];

const KEY = '"_" waiting  "S" starting  "R" reading  "W" sending  "K" keepalive  "L" logging  "C" closing  "G" finishing  "I" idle cleanup  "." open slot';

export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${s}s`].filter(Boolean).join(' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function formatStatus(s: StatusSnapshot): string {
  const c = s.counts;
  const rows = s.processes.map((p) => [
    String(p.slot),
    p.pid === 0 ? '-' : String(p.pid),
    `${p.generation}${p.quiescing ? ' (stopping)' : ''}`,
    String(p.connections),
    String(p.requests),
    p.rss ? formatBytes(p.rss) : '-',
    p.letters,
  ]);
  const head = ['Slot', 'PID', 'Gen', 'Conns', 'Requests', 'RSS', 'Threads'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return (
    `${s.version} (${s.serverName}), MPM ${s.mpm}, generation ${s.generation}, up ${formatDuration(s.time - s.restartTime)}\n` +
    `${plural(c.busy, 'request')} being processed, ${plural(c.idle, 'idle worker')}, ${c.graceful} gracefully finishing\n` +
    `${plural(c.processes, 'process', 'processes')} (${c.stopping} stopping), ${plural(c.connsTotal, 'connection')} (${c.connsAsyncKeepAlive} keep-alive), accept queue ${s.acceptQueue}\n` +
    `${plural(c.accesses, 'request')} served, ${formatBytes(c.bytes)}\n` +
    `limits: MaxRequestWorkers ${s.limits.maxRequestWorkers}, ServerLimit ${s.limits.serverLimit}, ThreadsPerChild ${s.limits.threadsPerChild}\n\n` +
    `${line(head)}\n${rows.map((r) => `${line(r)}\n`).join('')}\n${KEY}\n`
  );
}
