/**
 * The live stream for this page: @forkyard/client's StreamClient against the page's own origin
 * (the control plane serves the dashboard), bound to the store. The client gets a single-use
 * ticket before each connection and reconnects with exponential backoff and jitter; while it is
 * down the store keeps the last scoreboard and the UI marks it stale.
 *
 *   signed-out ─ startStream() ─▶ connecting ─ open ─▶ live ─ lost ─▶ reconnecting ─▶ connecting …
 *                                     └── ticket refused (401) ─▶ rejected (back to the token prompt)
 */
import { ForkyardClient, StreamClient } from '@forkyard/client';
import type { StreamTicket } from '@forkyard/protocol';
import { bindStreamToStore } from './stream-binding.js';
import { dashboardStore } from './store.js';

const BACKOFF = { initialMs: 500, maxMs: 10_000 };

/** Stream tickets through the shared client, noticing a refused token (the client would just retry). */
class TicketClient extends ForkyardClient {
  readonly #onRefused: () => void;
  constructor(token: string, onRefused: () => void) {
    super({ url: window.location.origin, token });
    this.#onRefused = onRefused;
  }
  override async streamTicket(): Promise<StreamTicket> {
    try {
      return await super.streamTicket();
    } catch (err) {
      if ((err as { status?: number }).status === 401) this.#onRefused();
      throw err;
    }
  }
}

let client: StreamClient | null = null;
let unbind: (() => void) | null = null;

function refused(): void {
  stopStream();
  dashboardStore.setState((s) => ({ connection: { ...s.connection, phase: 'rejected', message: 'the token was refused' } }));
}

/** Opens the stream with the session's token and keeps it open until stopStream(). */
export function startStream(): void {
  stopStream();
  const { token } = dashboardStore.getState().session;
  const rest = token ? new TicketClient(token, refused) : undefined;
  client = new StreamClient({ url: window.location.origin, ...(token ? { token } : {}), WebSocket, backoff: BACKOFF, ...(rest ? { rest } : {}) });
  unbind = bindStreamToStore(client, dashboardStore);
  client.start();
}

export function stopStream(): void {
  unbind?.();
  unbind = null;
  client?.stop();
  client = null;
  dashboardStore.setState((s) => ({ connection: { ...s.connection, phase: s.connection.phase === 'rejected' ? 'rejected' : 'signed-out', retryAt: null } }));
}

/** Reconnect now instead of waiting for the backoff timer. */
export function reconnectNow(): void {
  if (!client || dashboardStore.getState().connection.phase !== 'reconnecting') return;
  // The client has no "retry now"; a fresh client with the same token does the same.
  startStream();
}
