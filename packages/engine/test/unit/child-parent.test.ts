/** child/channel.ts: a child reads its live parent pid (process.ppid is fixed at start-up). */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentParent } from '../../src/child/channel.js';

test('currentParent: the pid of the process that started this one, read live', () => {
  assert.equal(currentParent(process.ppid), process.ppid);
  // Read live, not echoed: a wrong guess still gets the real parent.
  assert.equal(currentParent(process.ppid + 1), process.ppid);
  // process.ppid is a plain value set at start-up: it cannot tell that the parent has gone.
  const d = Object.getOwnPropertyDescriptor(process, 'ppid');
  assert.ok(d && 'value' in d && d.get === undefined);
});
