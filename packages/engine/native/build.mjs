// Builds native/fd.node (dup(2) for the direct thread transport) with the system C compiler and
// Node's own headers. Optional: without a compiler or headers it says so and the engine falls
// back to relaying connection bytes through the listener thread.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'fd.c');
const target = join(here, 'fd.node');

if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) process.exit(0);

const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(dirname(process.execPath)), 'include', 'node'),
  join(homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!include) {
  console.warn(`forkyard: Node's headers not found (looked in ${candidates.join(', ')}); threads will relay connection bytes through the listener`);
  process.exit(0);
}
const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-Wall', '-I', include, '-o', target, source], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (err) {
  console.warn(`forkyard: could not build native/fd.node with ${cc} (${err.message.split('\n')[0]}); threads will relay connection bytes through the listener`);
}
