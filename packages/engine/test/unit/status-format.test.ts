import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  aprFixed,
  aprG,
  escapeHtml,
  escapeLogitem,
  formatByteOut,
  formatKbyteOut,
  httpdTime,
  uptimeString,
} from '../../src/status/index.js';

const f32 = Math.fround;

// Expected strings are what libapr 1.7's apr_snprintf prints for the same double.
describe('aprG (APR %g and %.3g)', () => {
  const table: Array<[number, string, string]> = [
    [0, '0', '0'],
    [0.02, '.02', '.02'],
    [f32(0.02), '.02', '.02'],
    [0.5, '.5', '.5'],
    [1 / 30, '.0333333', '.0333'],
    [f32(1 / 30), '.0333333', '.0333'],
    [0.8, '.8', '.8'],
    [1.75, '1.75', '1.75'],
    [300, '300', '300'],
    [1024, '1024', '1020'],
    [1048576, '1048580', '1050000'],
    [1234567, '1234570', '1230000'],
    [99999, '99999', '1.e+5'],
    [123456, '123456', '123000'],
    // C would print 1.00000e+05 / 1.23457e+08; APR goes exponential only past 4 padding zeros.
    [100000, '1.e+5', '1.e+5'],
    [123456789, '123457000', '1.23e+8'],
    [1e8, '1.e+8', '1.e+8'],
    [1234567890123, '1.23457e+12', '1.23e+12'],
    // C: 1.234e-05. APR: no zero padding in the exponent.
    [1.234e-5, '1.234e-5', '1.23e-5'],
    [0.0001, '.0001', '.0001'],
    [0.00012345, '.00012345', '.000123'],
    [-0.5, '-.5', '-.5'],
    [999999.5, '1.e+6', '1.e+6'],
    [f32(9 / 7), '1.28571', '1.29'],
    [f32(f32(1024 * 8) / 7), '1170.29', '1170'],
    [f32(f32(1024 * 8) / 9), '910.222', '910'],
    [f32(1 / 3), '.333333', '.333'],
    // CPULoad with a zero uptime: httpd divides by 0 and APR prints this.
    [Infinity, '0.e+79', '0.e+79'],
  ];
  for (const [value, g, g3] of table) {
    it(`${value} → ${g} / ${g3}`, () => {
      assert.equal(aprG(value), g);
      assert.equal(aprG(value, 3), g3);
    });
  }
});

describe('aprFixed (APR %.2f and %.1f)', () => {
  const table: Array<[number, string, string]> = [
    [0.18, '0.18', '0.2'],
    [0.125, '0.13', '0.1'],
    // APR rounds the digits it generated: 0.015 → 0.02 where Number#toFixed gives 0.01.
    [0.015, '0.02', '0.0'],
    [0.995, '0.99', '1.0'],
    [0.999, '1.00', '1.0'],
    [2.675, '2.67', '2.7'],
    [-1, '-1.00', '-1.0'],
    [0.0001, '0.00', '0.0'],
    [12345.678, '12345.68', '12345.7'],
  ];
  for (const [value, two, one] of table) {
    it(`${value} → ${two} / ${one}`, () => {
      assert.equal(aprFixed(value, 2), two);
      assert.equal(aprFixed(value, 1), one);
    });
  }
});

describe('uptimeString (show_time)', () => {
  const table: Array<[number, string]> = [
    [0, ''],
    [1, ' 1 second'],
    [2, ' 2 seconds'],
    [60, ' 1 minute'],
    [3600, ' 1 hour'],
    [86400 + 7200 + 61, ' 1 day 2 hours 1 minute 1 second'],
    [6 * 86400 + 8 * 3600 + 27 * 60 + 13, ' 6 days 8 hours 27 minutes 13 seconds'],
    [2 * 86400 + 5, ' 2 days 5 seconds'],
    [59.9, ' 59 seconds'],
  ];
  for (const [seconds, text] of table) {
    it(`${seconds} s → "${text}"`, () => assert.equal(uptimeString(seconds), text));
  }
});

describe('httpdTime', () => {
  it('formats %A, %d-%b-%Y %H:%M:%S %Z in UTC by default', () => {
    assert.equal(httpdTime(Date.UTC(2026, 10, 27, 10, 43, 18)), 'Friday, 27-Nov-2026 10:43:18 UTC');
    assert.equal(httpdTime(Date.UTC(2026, 0, 4, 3, 4, 5, 999)), 'Sunday, 04-Jan-2026 03:04:05 UTC');
  });

  it('uses the zone abbreviation of an IANA zone', () => {
    assert.equal(httpdTime(Date.UTC(2026, 7, 28, 17, 29, 45), 'Europe/Berlin'), 'Friday, 28-Aug-2026 19:29:45 CEST');
    assert.equal(httpdTime(Date.UTC(2026, 0, 5, 3, 4, 5), 'America/New_York'), 'Sunday, 04-Jan-2026 22:04:05 EST');
  });
});

describe('byte formatters', () => {
  it('formatByteOut switches at 5 kB, 0.5 MB and 0.5 GB', () => {
    assert.equal(formatByteOut(0), '0 B');
    assert.equal(formatByteOut(438), '438 B');
    assert.equal(formatByteOut(5119), '5119 B');
    assert.equal(formatByteOut(5120), '5.0 kB');
    assert.equal(formatByteOut(112537), '109.9 kB');
    assert.equal(formatByteOut(524288), '0.5 MB');
    assert.equal(formatByteOut(536870912), '0.5 GB');
  });

  it('formatKbyteOut switches at 1024 kB and 1 GB', () => {
    assert.equal(formatKbyteOut(3), '3 kB');
    assert.equal(formatKbyteOut(1023), '1023 kB');
    assert.equal(formatKbyteOut(1024), '1.0 MB');
    assert.equal(formatKbyteOut(1048575), '1024.0 MB');
    assert.equal(formatKbyteOut(60293837), '57.5 GB');
  });
});

describe('escapes', () => {
  it('escapeHtml escapes & < > "', () => {
    assert.equal(escapeHtml('<script>a="1"&b</script>'), '&lt;script&gt;a=&quot;1&quot;&amp;b&lt;/script&gt;');
  });

  it('escapeLogitem escapes quotes, backslashes, controls and non-ASCII bytes', () => {
    assert.equal(escapeLogitem('GET /a"b\\c\td\x01 HTTP/1.1'), 'GET /a\\"b\\\\c\\td\\x01 HTTP/1.1');
    assert.equal(escapeLogitem('GET /é'), 'GET /\\xc3\\xa9');
  });
});
