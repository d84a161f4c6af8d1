/** checkTarget: loopback is always allowed, anything else only when allow-listed. Pure. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTarget } from '@forkyard/loadgen';

const allowed = (url: string, list: string[] = []): string | null => {
  const c = checkTarget(url, list);
  return c.ok ? c.origin : null;
};
const refusal = (url: string, list: string[] = []): string | null => {
  const c = checkTarget(url, list);
  return c.ok ? null : c.code;
};

test('loopback targets are allowed and reduced to their origin', () => {
  assert.equal(allowed('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  assert.equal(allowed('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(allowed('http://127.1.2.3:81'), 'http://127.1.2.3:81');
  assert.equal(allowed('http://localhost:3000'), 'http://localhost:3000');
  assert.equal(allowed('http://[::1]:8080'), 'http://[::1]:8080');
  assert.equal(allowed('http://[::ffff:127.0.0.1]:8080'), 'http://[::ffff:7f00:1]:8080');
});

test('other hosts are refused unless allow-listed', () => {
  for (const url of ['http://10.0.0.5:8080', 'http://192.168.1.2', 'http://example.com', 'http://localhost.example.com', 'http://[::2]:80', 'http://0.0.0.0:80']) {
    assert.equal(refusal(url), 'FY_LOADTEST_TARGET_REFUSED', url);
  }
  assert.equal(allowed('http://10.0.0.5:8080', ['10.0.0.5']), 'http://10.0.0.5:8080');
  assert.equal(allowed('http://10.0.0.5:8080', ['10.0.0.5:8080']), 'http://10.0.0.5:8080');
  assert.equal(allowed('http://10.0.0.5:8080', ['http://10.0.0.5:8080']), 'http://10.0.0.5:8080');
  assert.equal(refusal('http://10.0.0.5:8080', ['10.0.0.5:9090', 'http://10.0.0.5:9090', '']), 'FY_LOADTEST_TARGET_REFUSED');
  assert.equal(allowed('https://Example.COM', ['example.com']), 'https://example.com');
});

test('what is not a base http(s) URL is refused as such', () => {
  for (const url of ['not a url', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1:80', 'http://127.0.0.1:80/sleep', 'http://127.0.0.1:80/?a=1']) {
    assert.equal(refusal(url), 'FY_LOADTEST_TARGET_URL', url);
  }
});

test('anyLoopback: false: loopback needs the allow-list too (one listener of the caller’s own)', () => {
  const check = (url: string, list: string[]) => checkTarget(url, list, { anyLoopback: false });
  assert.deepEqual(check('http://127.0.0.1:8080', ['http://127.0.0.1:8080']), { ok: true, origin: 'http://127.0.0.1:8080' });
  for (const url of ['http://127.0.0.1:8081', 'http://localhost:8080', 'http://[::1]:8080']) {
    const r = check(url, ['http://127.0.0.1:8080']);
    assert.ok(!r.ok && r.code === 'FY_LOADTEST_TARGET_REFUSED' && /not this pool's listener/.test(r.message), url);
  }
  assert.equal(checkTarget('http://127.0.0.1:8081', []).ok, true, 'the default still accepts any loopback address');
});
