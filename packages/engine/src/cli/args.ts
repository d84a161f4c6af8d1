/**
 * `forkyard start` arguments and config file, merged into a PoolConfig. Pure: returns either
 * the config or one-line errors that name the flag, key or directive and the fix.
 */

import { parseArgs } from 'node:util';
import type { PoolConfig } from '../primary/config.js';

export interface StartOptions {
  pool: PoolConfig;
  dataDir: string;
  verbose: boolean;
}

const FILE_KEYS = new Set(['mpm', 'listen', 'app', 'directives', 'serverName', 'standby']);

export function parseStartArgs(argv: string[], readFile: (path: string) => string): StartOptions | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'f' },
        mpm: { type: 'string' },
        listen: { type: 'string', short: 'l' },
        app: { type: 'string' },
        set: { type: 'string', multiple: true, short: 's' },
        'data-dir': { type: 'string' },
        'no-standby': { type: 'boolean' },
        standby: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    return { error: `${(err as Error).message} (see: forkyard start --help)` };
  }
  const v = parsed.values;
  let pool: PoolConfig = {};
  if (v.config) {
    let text: string;
    try {
      text = readFile(v.config);
    } catch (err) {
      return { error: `cannot read config file ${v.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { error: `config file ${v.config} is not valid JSON: ${(err as Error).message}` };
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) return { error: `config file ${v.config} must hold a JSON object such as {"mpm": "event", "directives": {"MaxRequestWorkers": 16}}` };
    const unknown = Object.keys(json).filter((k) => !FILE_KEYS.has(k));
    if (unknown.length > 0) return { error: `config file ${v.config}: unknown key "${unknown[0]}": allowed keys are ${[...FILE_KEYS].join(', ')}` };
    const j = json as Record<string, unknown>;
    if (j.directives !== undefined && (typeof j.directives !== 'object' || j.directives === null || Array.isArray(j.directives))) {
      return { error: `config file ${v.config}: "directives" must be an object such as {"MaxRequestWorkers": 16}` };
    }
    pool = { ...(j as PoolConfig) };
  }
  if (v.mpm !== undefined) pool.mpm = v.mpm;
  if (v.listen !== undefined) pool.listen = v.listen;
  if (v.app !== undefined) pool.app = v.app;
  // A count is passed on as a number; anything else as given, for resolveConfig to name in its error.
  if (v.standby !== undefined) pool.standby = (/^\d+$/.test(v.standby) ? Number(v.standby) : v.standby) as number;
  if (v['no-standby']) pool.standby = false;
  const directives: Record<string, unknown> = { ...(pool.directives ?? {}) };
  for (const s of v.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) return { error: `--set ${s}: write it as Directive=value, e.g. --set MaxRequestWorkers=16` };
    directives[s.slice(0, eq).trim()] = s.slice(eq + 1).trim();
  }
  pool.directives = directives;
  return { pool, dataDir: v['data-dir'] ?? '.forkyard', verbose: v.verbose ?? false };
}

export const START_HELP = `Usage: forkyard start [options]

  -f, --config <file.json>   JSON with "mpm", "listen", "app", "directives", "standby"
      --mpm <prefork|worker|event>
  -l, --listen <host:port>   data-plane address (default 127.0.0.1:8080)
      --app <module>         app module: default export (req, res) or { fetch } (default: demo app)
  -s, --set <Directive=value>  any httpd directive, repeatable (e.g. --set MaxRequestWorkers=16)
      --data-dir <dir>       state directory (default ./.forkyard)
      --standby <n>          most child processes kept booted ahead of need (default 3: one at
                             rest, more only while children are made faster than one boots)
      --no-standby           fork each child when it is needed instead of keeping one booted ahead
  -v, --verbose              log every child spawn and exit
`;
