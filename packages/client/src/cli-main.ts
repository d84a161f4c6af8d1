#!/usr/bin/env node
/** `node dist/cli-main.js <verb> [options]`: the client verbs on their own (the forkyard command dispatches to cli.ts). */
import { CLIENT_HELP, runClientVerb } from './cli.js';

const [verb, ...argv] = process.argv.slice(2);
if (verb === undefined || verb === '--help' || verb === '-h') {
  process.stdout.write(`Usage: forkyard <verb> [options]\n\n${CLIENT_HELP}`);
  process.exitCode = verb === undefined ? 2 : 0;
} else {
  process.exitCode = await runClientVerb(verb, argv);
}
