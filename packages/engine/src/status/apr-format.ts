/**
 * Number, time and byte formatting exactly as mod_status prints it.
 *
 * mod_status formats through APR's own printf (apr_vformatter), not libc's, and its `%g` and
 * `%f` differ from C's: `%g` has no leading zero (`.02`), switches to exponent form late
 * (`1048580`, not `1.04858e+06`) and never pads the exponent (`1.234e-5`). Both are built on
 * apr_cvt, which produces digits by repeated multiplication of a double; it is ported here
 * step for step so rounding quirks match too. JavaScript numbers are IEEE doubles like C's.
 *
 * Values httpd computes in C `float` must be passed through `Math.fround` by the caller
 * before formatting (see extendedFigures in counts.ts).
 *
 * @see apr strings/apr_snprintf.c (apr_cvt, apr_gcvt, conv_fp)
 * @see httpd modules/generators/mod_status.c (format_byte_out, format_kbyte_out, show_time)
 */

const NDIG = 80;
const ZERO = 48; // '0'
const NINE = 57; // '9'
const KBYTE = 1024;
const MBYTE = 1048576;
const GBYTE = 1073741824;

/** C's modf: [fractional part, integral part]; modf(±inf) = [±0, ±inf]. */
function modf(x: number): [number, number] {
  if (x === Infinity || x === -Infinity) return [0, x];
  const int = Math.trunc(x);
  return [x - int, int];
}

interface Cvt {
  digits: string;
  decpt: number;
  negative: boolean;
}

/** apr_cvt: `ndigits` digits (eflag) or digits up to `ndigits` after the point (!eflag). */
function aprCvt(value: number, ndigits: number, eflag: boolean): Cvt {
  if (ndigits >= NDIG - 1) ndigits = NDIG - 2;
  const buf = new Array<number>(NDIG + 1).fill(0);
  let r2 = 0;
  let negative = false;
  let p = 0;
  let arg = value;
  if (arg < 0) {
    negative = true;
    arg = -arg;
  }
  let fi: number;
  [arg, fi] = modf(arg);
  let p1 = NDIG;
  if (fi !== 0) {
    while (p1 > 0 && fi !== 0) {
      let fj: number;
      [fj, fi] = modf(fi / 10);
      buf[--p1] = Math.trunc((fj + 0.03) * 10) + ZERO;
      r2++;
    }
    while (p1 < NDIG) buf[p++] = buf[p1++];
  } else if (arg > 0) {
    let fj: number;
    while ((fj = arg * 10) < 1) {
      arg = fj;
      r2--;
    }
  }
  p1 = ndigits + (eflag ? 0 : r2);
  if (p1 < 0) return { digits: '', decpt: -ndigits, negative };
  let decpt = r2;
  while (p <= p1 && p < NDIG) {
    let fj: number;
    [arg, fj] = modf(arg * 10);
    buf[p++] = fj + ZERO;
  }
  if (p1 >= NDIG) {
    buf[NDIG - 1] = 0;
    return { digits: cString(buf), decpt, negative };
  }
  p = p1;
  buf[p1] += 5;
  while (buf[p1] > NINE) {
    buf[p1] = ZERO;
    if (p1 > 0) {
      ++buf[--p1];
    } else {
      buf[p1] = ZERO + 1;
      decpt++;
      if (!eflag) {
        if (p > 0) buf[p] = ZERO;
        p++;
      }
    }
  }
  buf[p] = 0;
  return { digits: cString(buf), decpt, negative };
}

function cString(buf: number[]): string {
  const end = buf.indexOf(0);
  return String.fromCharCode(...buf.slice(0, end < 0 ? buf.length : end));
}

/**
 * APR's `%g` (`%.Ng` with `precision` N): the format of every `%g` value in mod_status.
 * `aprG(0.02) === '.02'`, `aprG(1048576) === '1048580'`, `aprG(1e8) === '1.e+8'`.
 */
export function aprG(value: number, precision = 6): string {
  if (Number.isNaN(value)) return 'nan';
  let ndigit = precision === 0 ? 1 : precision;
  const { digits, negative, decpt: point } = aprCvt(value, ndigit, true);
  let decpt = point;
  let out = negative ? '-' : '';
  for (let i = ndigit - 1; i > 0 && digits[i] === '0'; i--) ndigit--;
  let k = 0;
  if ((decpt >= 0 && decpt - ndigit > 4) || (decpt < 0 && decpt < -3)) {
    decpt--;
    out += digits[k++] + '.';
    for (let i = 1; i < ndigit; i++) out += digits[k++];
    out += 'e';
    if (decpt < 0) {
      decpt = -decpt;
      out += '-';
    } else {
      out += '+';
    }
    return out + String(decpt);
  }
  if (decpt <= 0) {
    if (digits[0] !== '0') out += '.';
    while (decpt < 0) {
      decpt++;
      out += '0';
    }
  }
  for (let i = 1; i <= ndigit; i++) {
    out += digits[k++];
    if (i === decpt) out += '.';
  }
  if (ndigit < decpt) {
    while (ndigit++ < decpt) out += '0';
    out += '.';
  }
  return out.endsWith('.') ? out.slice(0, -1) : out;
}

/** APR's `%.Nf` (conv_fp 'f'), e.g. the `%.2f` of the load averages. */
export function aprFixed(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return 'inf';
  const { digits, decpt, negative } = aprCvt(value, precision, false);
  let out: string;
  let rest = digits;
  if (decpt <= 0) {
    out = '0';
    if (precision > 0) {
      out += '.';
      for (let d = decpt; d < 0; d++) out += '0';
    }
  } else {
    out = digits.slice(0, decpt);
    rest = digits.slice(decpt);
    if (precision > 0) out += '.';
  }
  return (negative ? '-' : '') + out + rest;
}

/** format_byte_out: `N B`, `x.x kB`, `x.x MB` or `x.x GB` (the quotient is a C float). */
export function formatByteOut(bytes: number): string {
  if (bytes < 5 * KBYTE) return `${Math.trunc(bytes)} B`;
  if (bytes < MBYTE / 2) return `${aprFixed(Math.fround(Math.fround(bytes) / KBYTE), 1)} kB`;
  if (bytes < GBYTE / 2) return `${aprFixed(Math.fround(Math.fround(bytes) / MBYTE), 1)} MB`;
  return `${aprFixed(Math.fround(Math.fround(bytes) / GBYTE), 1)} GB`;
}

/** format_kbyte_out, used for "Total Traffic": `N kB`, `x.x MB` or `x.x GB`. */
export function formatKbyteOut(kbytes: number): string {
  if (kbytes < KBYTE) return `${Math.trunc(kbytes)} kB`;
  if (kbytes < MBYTE) return `${aprFixed(Math.fround(Math.fround(kbytes) / KBYTE), 1)} MB`;
  return `${aprFixed(Math.fround(Math.fround(kbytes) / MBYTE), 1)} GB`;
}

/**
 * show_time: ` 1 day 2 hours 3 minutes 4 seconds`, zero units left out, with a LEADING space
 * (so `ServerUptime:` + this reads `ServerUptime: 4 seconds`, and 0 s gives an empty string).
 */
export function uptimeString(seconds: number): string {
  let t = Math.max(0, Math.floor(seconds));
  const secs = t % 60;
  t = Math.floor(t / 60);
  const mins = t % 60;
  t = Math.floor(t / 60);
  const hrs = t % 24;
  const days = Math.floor(t / 24);
  const unit = (n: number, name: string): string => (n ? ` ${n} ${name}${n === 1 ? '' : 's'}` : '');
  return unit(days, 'day') + unit(hrs, 'hour') + unit(mins, 'minute') + unit(secs, 'second');
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * mod_status's DEFAULT_TIME_FORMAT `%A, %d-%b-%Y %H:%M:%S %Z` in the C locale, e.g.
 * `Friday, 27-Nov-2026 10:43:18 UTC`. UTC unless an IANA `timeZone` is given.
 */
export function httpdTime(epochMs: number, timeZone = 'UTC'): string {
  const fields = timeZone === 'UTC' ? utcFields(epochMs) : zonedFields(epochMs, timeZone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[fields.weekday]}, ${two(fields.day)}-${MONTHS[fields.month]}-${fields.year} ` +
    `${two(fields.hour)}:${two(fields.minute)}:${two(fields.second)} ${fields.zone}`
  );
}

interface TimeFields {
  weekday: number;
  day: number;
  month: number;
  year: number;
  hour: number;
  minute: number;
  second: number;
  zone: string;
}

function utcFields(epochMs: number): TimeFields {
  const d = new Date(epochMs);
  return {
    weekday: d.getUTCDay(),
    day: d.getUTCDate(),
    month: d.getUTCMonth(),
    year: d.getUTCFullYear(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    zone: 'UTC',
  };
}

function zonedFields(epochMs: number, timeZone: string): TimeFields {
  const parts = (locale: string): Record<string, string> => {
    const fmt = new Intl.DateTimeFormat(locale, {
      timeZone,
      hourCycle: 'h23',
      weekday: 'long',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    return Object.fromEntries(fmt.formatToParts(epochMs).map((p) => [p.type, p.value]));
  };
  const us = parts('en-US');
  // en-US names American zones (EST); en-GB names European ones (CEST) where en-US says GMT+2.
  const zone = us.timeZoneName.startsWith('GMT') ? parts('en-GB').timeZoneName : us.timeZoneName;
  return {
    weekday: DAYS.indexOf(us.weekday),
    day: Number(us.day),
    month: Number(us.month) - 1,
    year: Number(us.year),
    hour: Number(us.hour),
    minute: Number(us.minute),
    second: Number(us.second),
    zone,
  };
}

/** ap_escape_html: `& < > "` as entities. Every string that came from a request goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ENTITIES[c] ?? c);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

const LOGITEM_LETTERS: Record<number, string> = { 8: 'b', 10: 'n', 13: 'r', 9: 't', 11: 'v', 34: '"', 92: '\\' };

/**
 * ap_escape_logitem: control characters, bytes ≥ 0x7f, `"` and `\` become `\n`, `\"`, `\xhh`…
 * mod_status applies it to the request line before the HTML escape. Works on UTF-8 bytes.
 */
export function escapeLogitem(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const letter = LOGITEM_LETTERS[byte];
    if (letter !== undefined) out += `\\${letter}`;
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}
