/**
 * @forkyard/client: the control plane's REST API as typed calls, and the live scoreboard stream
 * as a framework-free store. Runs in Node 20 (pass ws's WebSocket) and in browsers. The CLI
 * verbs are in `@forkyard/client/cli`.
 */
export { DEFAULT_CONTROL_URL, ForkyardClient, type ForkyardClientOptions } from './rest-client.js';
export { ForkyardApiError, ForkyardClientError, type ClientErrorCode } from './errors.js';
export {
  StreamClient,
  type StreamClientOptions,
  type StreamClientState,
  type StreamStatus,
  type WebSocketConstructor,
  type WebSocketLike,
} from './stream-client.js';
/** The protocol types the calls above take and return, so a client needs one import. */
export type {
  AuditEntry,
  AuditPage,
  ChildActionResult,
  ChildList,
  DirectivesApplied,
  DirectivesBody,
  DirectivesState,
  DirectivesValidation,
  LifecycleResult,
  LoadTestPage,
  LoadTestProgress,
  LoadTestRecord,
  LoadTestRun,
  LoadTestStartBody,
  LoadTestSummary,
  MpmName,
  Problem,
  ProcessSnapshot,
  ServerFrame,
  StatusSnapshot,
  StreamEvent,
  StreamState,
  StreamTicket,
  ThreadCells,
} from '@forkyard/protocol';
