/**
 * @forkyard/protocol: the wire contract between the control plane and its clients (the
 * dashboard, @forkyard/client, tools). Schemas are TypeBox, so each is both a TypeScript type
 * and a JSON Schema; nothing here depends on a server or UI framework.
 */
export * from './rest.js';
export * from './loadtest.js';
export * from './problem.js';
export * from './snapshot.js';
export * from './delta.js';
export * from './stream.js';
