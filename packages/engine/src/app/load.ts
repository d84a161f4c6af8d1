/**
 * Loads the application a child or thread runs: the built-in demo app, a Node listener
 * `(req, res)` (Express, Koa's `app.callback()`, plain handlers) or a fetch-style object
 * `{ fetch(request) → Response }` (Hono and friends), from a module's default export.
 */

import type { RequestListener } from 'node:http';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import demoApp from '../demo-app/index.js';
import { fetchListener, type FetchApp } from './fetch-adapter.js';

export class AppLoadError extends Error {
  readonly code = 'FY_APP_LOAD';
}

export async function loadApp(spec: string | null): Promise<RequestListener> {
  if (spec === null || spec === 'demo') return demoApp as RequestListener;
  const url = pathToFileURL(isAbsolute(spec) ? spec : resolve(spec)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new AppLoadError(`cannot load app module ${spec}: ${(err as Error).message}`);
  }
  return asListener(mod.default ?? mod, spec);
}

export function asListener(exported: unknown, spec: string): RequestListener {
  if (typeof exported === 'function') return exported as RequestListener;
  if (exported && typeof (exported as FetchApp).fetch === 'function') return fetchListener(exported as FetchApp);
  throw new AppLoadError(
    `app module ${spec} must export default a (req, res) listener or an object with fetch(request): got ${exported === null ? 'null' : typeof exported}`,
  );
}
