/** The benchmarks, in report order. */

import keepalive from './keepalive.mjs';
import close from './close.mjs';
import cpu from './cpu.mjs';
import childReady from './child-ready.mjs';
import dashboard from './dashboard-frames.mjs';
import idle from './idle.mjs';
import observation from './observation.mjs';
import streamBytes from './stream-bytes.mjs';

export const SUITES = [keepalive, close, cpu, childReady, dashboard, idle, observation, streamBytes];
