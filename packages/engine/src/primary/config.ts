/**
 * A pool's configuration: MPM, listen address, application and directives, validated and
 * adjusted by httpd's rules before anything starts. Bad input throws a PoolConfigError carrying
 * every field error; nothing is started.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateAndAdjust } from '../directives/index.js';
import type { DirectiveError, DirectiveWarning, Directives, EffectiveDirectives } from '../directives/types.js';
import { MPM_NAMES, type MpmName } from '../scoreboard/types.js';

/** Most standbys kept at once by default (`standby: true`): each is a Node process, and booting them competes with serving. */
export const DEFAULT_STANDBYS = 3;
/** The most `standby` may ask for. */
export const MOST_STANDBYS = 8;

export interface PoolConfig {
  mpm?: MpmName | string;
  /** `host:port`, `port`, or an object. Default 127.0.0.1:8080. */
  listen?: string | number | { host?: string; port?: number };
  /** Path of the application module; omitted or null for the built-in demo app. */
  app?: string | null;
  /** Directives in httpd spelling: `{ MaxRequestWorkers: 16 }`. */
  directives?: Record<string, unknown>;
  serverName?: string;
  /** Milliseconds between a child's slot reports (default 100). */
  reportInterval?: number;
  /**
   * Keep child processes booted ahead of need, so a new child starts in milliseconds: true
   * (default) keeps one, and up to 3 while children are made faster than one boots; a number
   * is that most (1 keeps exactly one; 0 is false); false forks every child when needed.
   */
  standby?: boolean | number;
}

export interface ResolvedConfig {
  mpm: MpmName;
  listen: { host: string; port: number };
  app: string | null;
  serverName: string;
  /** As given (after defaults), before httpd's adjustments. */
  configured: Directives;
  directives: EffectiveDirectives;
  warnings: DirectiveWarning[];
  notes: string[];
  reportInterval: number;
  /** Most standbys kept at once (0: none). */
  standby: number;
}

export interface ConfigFieldError {
  code: string;
  field: string;
  message: string;
}

export class PoolConfigError extends Error {
  readonly code = 'FY_CONFIG';
  readonly errors: ConfigFieldError[];
  constructor(errors: ConfigFieldError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export function parseListen(listen: PoolConfig['listen']): { host: string; port: number } | string {
  if (listen === undefined) return { host: DEFAULT_HOST, port: DEFAULT_PORT };
  if (typeof listen === 'number') return checkPort(DEFAULT_HOST, listen);
  if (typeof listen === 'object' && listen !== null) return checkPort(listen.host ?? DEFAULT_HOST, listen.port ?? DEFAULT_PORT);
  if (typeof listen !== 'string') return `listen must be "host:port", got ${JSON.stringify(listen)}`;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  if (!m) return `listen must be "host:port" such as 127.0.0.1:8080, got "${listen}"`;
  return checkPort(m[1] || m[2] || DEFAULT_HOST, Number(m[3]));
}

function checkPort(host: string, port: number): { host: string; port: number } | string {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `listen port must be 0-65535, got ${port}`;
  return { host, port };
}

export function resolveConfig(config: PoolConfig): ResolvedConfig {
  const errors: ConfigFieldError[] = [];
  const mpm = (config.mpm ?? 'prefork') as MpmName;
  if (!MPM_NAMES.includes(mpm)) {
    errors.push({ code: 'FY_MPM_UNKNOWN', field: 'mpm', message: `unknown MPM "${String(config.mpm)}": use prefork, worker or event` });
  }
  const listen = parseListen(config.listen);
  if (typeof listen === 'string') errors.push({ code: 'FY_LISTEN', field: 'listen', message: listen });
  let app: string | null = null;
  if (config.app !== undefined && config.app !== null && config.app !== 'demo') {
    app = resolve(String(config.app));
    if (!existsSync(app)) errors.push({ code: 'FY_APP_LOAD', field: 'app', message: `app module ${config.app} does not exist: give the path of a .js/.mjs file` });
  }
  const reportInterval = config.reportInterval ?? 100;
  if (!Number.isInteger(reportInterval) || reportInterval < 10 || reportInterval > 10_000) {
    errors.push({ code: 'FY_CONFIG', field: 'reportInterval', message: 'reportInterval must be an integer between 10 and 10000 ms' });
  }
  const given = config.standby ?? true;
  const standby = given === true ? DEFAULT_STANDBYS : given === false ? 0 : given;
  if (typeof standby !== 'number' || !Number.isInteger(standby) || standby < 0 || standby > MOST_STANDBYS) {
    errors.push({ code: 'FY_CONFIG', field: 'standby', message: `standby must be true, false or the most standbys to keep (0 to ${MOST_STANDBYS}), got ${JSON.stringify(config.standby)}` });
  }
  if (errors.length > 0 && errors.some((e) => e.field === 'mpm')) throw new PoolConfigError(errors);
  const result = validateAndAdjust(config.directives ?? {}, mpm);
  if (!result.ok) {
    for (const e of result.errors as DirectiveError[]) errors.push({ code: e.code, field: e.directive, message: e.message });
  }
  if (errors.length > 0 || !result.ok) throw new PoolConfigError(errors);
  return {
    mpm,
    listen: listen as { host: string; port: number },
    app,
    serverName: config.serverName ?? (listen as { host: string }).host,
    configured: result.directives,
    directives: result.effective,
    warnings: result.warnings,
    notes: result.notes ?? [],
    reportInterval,
    standby: standby as number,
  };
}
