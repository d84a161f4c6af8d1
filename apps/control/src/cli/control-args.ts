/**
 * The control plane's own `forkyard start` flags, taken out of the argument list before the
 * engine's parser sees the rest. Pure.
 */

import { DEFAULT_CONTROL, isLoopback, parseControlAddress } from '../main.js';

export interface ControlArgs {
  /** The engine's arguments. */
  rest: string[];
  /** null: --control off. */
  control: { host: string; port: number } | null;
  openRead: boolean;
}

export function extractControlArgs(argv: readonly string[]): ControlArgs | { error: string } {
  const rest: string[] = [];
  let controlText: string | undefined;
  let openRead = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--open-read') openRead = true;
    else if (arg === '--control') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) return { error: '--control needs a value: host:port such as 127.0.0.1:7070, or off' };
      controlText = value;
      i++;
    } else if (arg.startsWith('--control=')) controlText = arg.slice('--control='.length);
    else rest.push(arg);
  }
  const control = controlText === undefined ? { ...DEFAULT_CONTROL } : parseControlAddress(controlText);
  if (control !== null && 'error' in control) return { error: control.error };
  if (openRead && control !== null && !isLoopback(control.host) && control.host !== 'localhost') {
    return { error: `--open-read only works with a loopback --control address, not ${control.host}: anyone who reaches it could read the pool` };
  }
  if (openRead && control === null) return { error: '--open-read needs the control plane: remove --control off' };
  return { rest, control, openRead };
}

export const CONTROL_HELP = `
Control plane:
      --control <host:port|off>  REST API (/api/v1), /server-status, /metrics and the live
                                 stream (default 127.0.0.1:7070; off: no control plane)
      --open-read                loopback clients read without a token (loopback --control only)

  Tokens: a viewer and an operator token are generated on first start, printed once and kept
  in <data-dir>/tokens.json (mode 0600). FORKYARD_TOKEN sets an operator token of your own.
  Changes need the operator token: Authorization: Bearer <token>.

  Directives and the MPM applied through the API are stored in <data-dir>/forkyard.db and
  restored at the next start. --mpm, --set and --config override what is stored.
`;
