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
  /** --loadtest-allow (repeatable): load-test targets besides the pool's own listener. */
  loadTestAllow: string[];
}

export function extractControlArgs(argv: readonly string[]): ControlArgs | { error: string } {
  const rest: string[] = [];
  let controlText: string | undefined;
  let openRead = false;
  const loadTestAllow: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--open-read') openRead = true;
    else if (arg === '--loadtest-allow' || arg.startsWith('--loadtest-allow=')) {
      const value = arg === '--loadtest-allow' ? argv[++i] : arg.slice('--loadtest-allow='.length);
      if (value === undefined || value === '' || value.startsWith('-')) return { error: '--loadtest-allow needs a value: host:port (or an origin such as http://10.0.0.5:8080)' };
      if (!/^(?:https?:\/\/)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?\/?$/.test(value)) {
        return { error: `--loadtest-allow takes host:port, a host or an origin (e.g. 10.0.0.5:8080), got "${value}"` };
      }
      loadTestAllow.push(value);
    }
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
  if (loadTestAllow.length > 0 && control === null) return { error: '--loadtest-allow needs the control plane: remove --control off' };
  return { rest, control, openRead, loadTestAllow };
}

export const CONTROL_HELP = `
Control plane:
      --control <host:port|off>  REST API (/api/v1), /server-status, /metrics and the live
                                 stream (default 127.0.0.1:7070; off: no control plane)
      --open-read                loopback clients read without a token (loopback --control only)
      --loadtest-allow <host:port>
                                 load tests may also target this address (repeatable); by
                                 default they only reach the pool's own listener

  Tokens: a viewer and an operator token are generated on first start, printed once and kept
  in <data-dir>/tokens.json (mode 0600). FORKYARD_TOKEN sets an operator token of your own.
  Changes need the operator token: Authorization: Bearer <token>.

  Directives and the MPM applied through the API are stored in <data-dir>/forkyard.db and
  restored at the next start. --mpm, --set and --config override what is stored.
`;
