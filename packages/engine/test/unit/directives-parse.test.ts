import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIRECTIVES, defaultDirectives, directiveDef, parseDirectives } from '../../src/directives/index.js';
import type { DirectiveError, Directives } from '../../src/directives/index.js';
import type { MpmName } from '../../src/scoreboard/types.js';

interface Row {
  name: string;
  mpm?: MpmName;
  raw: Record<string, unknown>;
  values?: Partial<Directives>;
  /** Every error, in input order; `message` is compared exactly when given, else matched. */
  errors?: Array<Pick<DirectiveError, 'code' | 'directive'> & { message?: string; matches?: RegExp }>;
  notes?: string[];
}

const ROWS: Row[] = [
  // Accepted values
  { name: 'decimal-integer strings from the CLI', raw: { MaxRequestWorkers: '16', StartServers: ' 2 ' },
    values: { MaxRequestWorkers: 16, StartServers: 2 } },
  { name: 'plain numbers', raw: { ServerLimit: 4, ListenBacklog: 1 }, values: { ServerLimit: 4, ListenBacklog: 1 } },
  { name: 'StartServers 0 is valid syntax (adjusted later, with a warning)', raw: { StartServers: 0, MinSpareThreads: '0' },
    values: { StartServers: 0, MinSpareThreads: 0 } },
  { name: 'On/Off in any case', raw: { KeepAlive: 'Off', ExtendedStatus: 'on' }, values: { KeepAlive: false, ExtendedStatus: true } },
  { name: 'OFF and true/false as strings and booleans', raw: { KeepAlive: 'OFF', ExtendedStatus: 'TRUE' },
    values: { KeepAlive: false, ExtendedStatus: true } },
  { name: 'booleans', raw: { KeepAlive: true, ExtendedStatus: false }, values: { KeepAlive: true, ExtendedStatus: false } },
  { name: 'durations: ms suffix', raw: { KeepAliveTimeout: '500ms', Timeout: '9ms' }, values: { KeepAliveTimeout: 0.5, Timeout: 0.009 } },
  { name: 'durations: s suffix, bare strings, numbers', raw: { KeepAliveTimeout: '2s', Timeout: '30', GracefulShutdownTimeout: 10 },
    values: { KeepAliveTimeout: 2, Timeout: 30, GracefulShutdownTimeout: 10 } },
  { name: 'durations: fractional seconds and minutes', raw: { KeepAliveTimeout: 1.5, Timeout: '2min' },
    values: { KeepAliveTimeout: 1.5, Timeout: 120 } },
  { name: 'AsyncRequestWorkerFactor takes a fraction', mpm: 'event', raw: { AsyncRequestWorkerFactor: '1.5' },
    values: { AsyncRequestWorkerFactor: 1.5 } },
  { name: 'ServerLimit 200000 and ThreadLimit 100000 are the largest accepted', raw: { ServerLimit: 200_000, ThreadLimit: 100_000 },
    values: { ServerLimit: 200_000, ThreadLimit: 100_000 } },
  { name: 'undefined means not set', raw: { MaxRequestWorkers: undefined }, values: {} },

  // Old names
  { name: 'MaxClients → MaxRequestWorkers (prefork AH00188)', mpm: 'prefork', raw: { MaxClients: '150' },
    values: { MaxRequestWorkers: 150 }, notes: ['AH00188: MaxClients is deprecated, use MaxRequestWorkers instead.'] },
  { name: 'MaxClients → MaxRequestWorkers (worker AH00324)', mpm: 'worker', raw: { MaxClients: 150 },
    values: { MaxRequestWorkers: 150 }, notes: ['AH00324: MaxClients is deprecated, use MaxRequestWorkers instead.'] },
  { name: 'MaxClients → MaxRequestWorkers (event AH00521)', mpm: 'event', raw: { MaxClients: 150 },
    values: { MaxRequestWorkers: 150 }, notes: ['AH00521: MaxClients is deprecated, use MaxRequestWorkers instead.'] },
  { name: 'MaxRequestsPerChild → MaxConnectionsPerChild (AH00545)', raw: { MaxRequestsPerChild: 1000 },
    values: { MaxConnectionsPerChild: 1000 }, notes: ['AH00545: MaxRequestsPerChild is deprecated, use MaxConnectionsPerChild instead.'] },
  { name: 'an old name with a bad value is reported under the name given', raw: { MaxClients: 'many' },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'MaxClients', matches: /^MaxClients must be an integer ≥ 0, got "many"/ }] },

  // Directives of another MPM
  { name: 'MinSpareServers under event is accepted and ignored', mpm: 'event', raw: { MinSpareServers: 3 },
    values: { MinSpareServers: 3 },
    notes: ['MinSpareServers does not apply to the event MPM and is ignored; it is kept for prefork.'] },
  { name: 'a default value of another MPM\'s directive gets no note', mpm: 'event', raw: { MinSpareServers: 5, MaxSpareServers: '10' },
    values: { MinSpareServers: 5, MaxSpareServers: 10 } },
  { name: 'ThreadsPerChild under prefork is accepted and ignored', mpm: 'prefork', raw: { ThreadsPerChild: 8 },
    values: { ThreadsPerChild: 8 },
    notes: ['ThreadsPerChild does not apply to the prefork MPM and is ignored; it is kept for worker and event.'] },

  // Unknown names
  { name: 'unknown, nothing close', raw: { Foo: 1 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'Foo', matches: /^Unknown directive "Foo": remove it; Forkyard knows StartServers, .*MaintenanceInterval$/ }] },
  { name: 'typo suggestion', raw: { MaxRequestWorker: 16 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'MaxRequestWorker', message: 'Unknown directive "MaxRequestWorker": did you mean MaxRequestWorkers?' }] },
  { name: 'swapped letters count as one edit', raw: { Timoeut: 5 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'Timoeut', message: 'Unknown directive "Timoeut": did you mean Timeout?' }] },
  { name: 'a short name tolerates one edit only', raw: { Tmieuot: 5 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'Tmieuot', matches: /remove it; Forkyard knows/ }] },
  { name: 'wrong case', raw: { maxrequestworkers: 16 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'maxrequestworkers', message: 'Unknown directive "maxrequestworkers": did you mean MaxRequestWorkers?' }] },
  { name: 'an old name in the wrong case suggests the current name', raw: { maxclients: 16 },
    errors: [{ code: 'FY_DIRECTIVE_UNKNOWN', directive: 'maxclients', message: 'Unknown directive "maxclients": did you mean MaxRequestWorkers?' }] },
  { name: 'object internals are not directives', raw: JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, unknown>,
    errors: [
      { code: 'FY_DIRECTIVE_UNKNOWN', directive: '__proto__', matches: /^Unknown directive "__proto__"/ },
      { code: 'FY_DIRECTIVE_UNKNOWN', directive: 'constructor', matches: /^Unknown directive "constructor"/ },
    ] },

  // Wrong types
  { name: 'integer: not a number', mpm: 'event', raw: { MaxRequestWorkers: 'abc' },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'MaxRequestWorkers',
      message: 'MaxRequestWorkers must be an integer ≥ 0, got "abc": set it to a whole number such as 400' }] },
  { name: 'integer: a fraction', mpm: 'prefork', raw: { MaxRequestWorkers: 16.5 },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'MaxRequestWorkers',
      message: 'MaxRequestWorkers must be an integer ≥ 0, got 16.5: set it to a whole number such as 256' }] },
  { name: 'integer: a fractional string, null, a list', raw: { StartServers: '2.5', ServerLimit: null, ThreadLimit: [64] },
    errors: [
      { code: 'FY_DIRECTIVE_TYPE', directive: 'StartServers', matches: /got "2\.5": set it to a whole number/ },
      { code: 'FY_DIRECTIVE_TYPE', directive: 'ServerLimit', matches: /got null:/ },
      { code: 'FY_DIRECTIVE_TYPE', directive: 'ThreadLimit', matches: /got a list:/ },
    ] },
  { name: 'boolean: yes is not On', raw: { KeepAlive: 'yes' },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'KeepAlive',
      message: 'KeepAlive must be On or Off, got "yes": set it to On or Off (true and false also work)' }] },
  { name: 'boolean: 1 is not On', raw: { ExtendedStatus: 1 },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'ExtendedStatus', matches: /^ExtendedStatus must be On or Off, got 1:/ }] },
  { name: 'duration: unknown unit', raw: { KeepAliveTimeout: '5 minutes' },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'KeepAliveTimeout',
      message: 'KeepAliveTimeout must be a duration in seconds from 0 to 2147483, got "5 minutes": ' +
        'set it to a number of seconds such as 5, or a string such as "500ms" or "2s"' }] },
  { name: 'number: not a number', mpm: 'event', raw: { AsyncRequestWorkerFactor: 'two' },
    errors: [{ code: 'FY_DIRECTIVE_TYPE', directive: 'AsyncRequestWorkerFactor',
      message: 'AsyncRequestWorkerFactor must be a number > 0, got "two": set it to a number such as 2' }] },

  // Out of range
  { name: 'negative integer', raw: { StartServers: -1 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'StartServers', message: 'StartServers must be an integer ≥ 0, got -1: set it to 0 or more' }] },
  { name: 'negative integer string', raw: { MaxSpareThreads: '-5' },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'MaxSpareThreads', matches: /got "-5": set it to 0 or more$/ }] },
  { name: 'ServerLimit above 200000 is refused', raw: { ServerLimit: 200_001 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'ServerLimit',
      message: 'ServerLimit must be an integer from 0 to 200000, got 200001: set it to 200000 or less' }] },
  { name: 'ThreadLimit above 100000 is refused', raw: { ThreadLimit: '100001' },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'ThreadLimit', matches: /from 0 to 100000, got "100001": set it to 100000 or less$/ }] },
  { name: 'AsyncRequestWorkerFactor 0 (httpd\'s message)', mpm: 'event', raw: { AsyncRequestWorkerFactor: 0 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'AsyncRequestWorkerFactor',
      message: 'AsyncRequestWorkerFactor argument must be a positive number, got 0: set it to a value such as 2' }] },
  { name: 'AsyncRequestWorkerFactor negative', mpm: 'event', raw: { AsyncRequestWorkerFactor: '-1' },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'AsyncRequestWorkerFactor', matches: /must be a positive number, got "-1"/ }] },
  { name: 'ListenBacklog must be > 0', raw: { ListenBacklog: 0 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'ListenBacklog', message: 'ListenBacklog must be an integer ≥ 1, got 0: set it to 1 or more' }] },
  { name: 'MaintenanceInterval bounds', raw: { MaintenanceInterval: 5 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'MaintenanceInterval', message: 'MaintenanceInterval must be an integer from 10 to 60000, got 5: set it to 10 or more' }] },
  { name: 'negative duration', raw: { KeepAliveTimeout: '-1s' },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'KeepAliveTimeout', matches: /got "-1s": set it to 0s or more$/ }] },
  { name: 'Timeout 0 is refused', raw: { Timeout: 0 },
    errors: [{ code: 'FY_DIRECTIVE_RANGE', directive: 'Timeout', matches: /^Timeout must be a duration in seconds from 0\.001 to 2147483, got 0:/ }] },

  // Several at once
  { name: 'every error is reported, good values are still parsed', mpm: 'worker',
    raw: { MaxRequestWorker: 16, KeepAlive: 'maybe', ServerLimit: -1, ThreadsPerChild: '32', MaintenanceInterval: 70_000 },
    values: { ThreadsPerChild: 32 },
    errors: [
      { code: 'FY_DIRECTIVE_UNKNOWN', directive: 'MaxRequestWorker', matches: /did you mean MaxRequestWorkers\?$/ },
      { code: 'FY_DIRECTIVE_TYPE', directive: 'KeepAlive' },
      { code: 'FY_DIRECTIVE_RANGE', directive: 'ServerLimit' },
      { code: 'FY_DIRECTIVE_RANGE', directive: 'MaintenanceInterval', matches: /set it to 60000 or less$/ },
    ] },
];

describe('parseDirectives', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const { values, errors, notes } = parseDirectives(row.raw, row.mpm ?? 'event');
      assert.deepEqual(values, row.values ?? {});
      assert.deepEqual(errors.map((e) => [e.code, e.directive]), (row.errors ?? []).map((e) => [e.code, e.directive]));
      (row.errors ?? []).forEach((want, i) => {
        if (want.message !== undefined) assert.equal(errors[i].message, want.message);
        if (want.matches) assert.match(errors[i].message, want.matches);
      });
      for (const e of errors) assert.doesNotMatch(e.message, /\n/, 'one line');
      assert.deepEqual(notes, row.notes ?? []);
    });
  }
});

describe('the directive table', () => {
  const DEFAULTS: Record<MpmName, Directives> = {
    prefork: {
      StartServers: 5, MinSpareServers: 5, MaxSpareServers: 10, MinSpareThreads: 75, MaxSpareThreads: 250,
      ThreadsPerChild: 1, ThreadLimit: 1, ServerLimit: 256, MaxRequestWorkers: 256, AsyncRequestWorkerFactor: 2,
      MaxConnectionsPerChild: 0, MaxMemoryPerChild: 0, GracefulShutdownTimeout: 0, ListenBacklog: 511, KeepAlive: true, KeepAliveTimeout: 5,
      MaxKeepAliveRequests: 100, Timeout: 60, RequestTimeLimit: 0, LimitRequestBody: 1073741824, ExtendedStatus: true, MaintenanceInterval: 1000,
    },
    worker: {
      StartServers: 3, MinSpareServers: 5, MaxSpareServers: 10, MinSpareThreads: 75, MaxSpareThreads: 250,
      ThreadsPerChild: 25, ThreadLimit: 64, ServerLimit: 16, MaxRequestWorkers: 400, AsyncRequestWorkerFactor: 2,
      MaxConnectionsPerChild: 0, MaxMemoryPerChild: 0, GracefulShutdownTimeout: 0, ListenBacklog: 511, KeepAlive: true, KeepAliveTimeout: 5,
      MaxKeepAliveRequests: 100, Timeout: 60, RequestTimeLimit: 0, LimitRequestBody: 1073741824, ExtendedStatus: true, MaintenanceInterval: 1000,
    },
    event: {} as Directives,
  };
  DEFAULTS.event = DEFAULTS.worker;

  for (const mpm of ['prefork', 'worker', 'event'] as const) {
    it(`${mpm}: httpd's defaults (§3.1), in the order of Directives`, () => {
      const d = defaultDirectives(mpm);
      assert.deepEqual(d, DEFAULTS[mpm]);
      assert.deepEqual(Object.keys(d), Object.keys(DEFAULTS[mpm]));
    });

    it(`${mpm}: the defaults parse cleanly`, () => {
      const { values, errors } = parseDirectives({ ...defaultDirectives(mpm) }, mpm);
      assert.deepEqual(errors, []);
      assert.deepEqual(values, defaultDirectives(mpm));
    });
  }

  it('says when a change applies', () => {
    const by = (apply: string) => DIRECTIVES.filter((d) => d.apply === apply).map((d) => d.name).sort();
    assert.deepEqual(by('restart'), ['ListenBacklog', 'ServerLimit', 'ThreadLimit']);
    assert.deepEqual(by('generation'), ['StartServers', 'ThreadsPerChild']);
    assert.equal(by('tick').length, DIRECTIVES.length - 5);
  });

  it('says which MPMs use each directive', () => {
    const mpms = (name: string) => directiveDef(name)?.mpms;
    assert.deepEqual(mpms('MinSpareServers'), ['prefork']);
    assert.deepEqual(mpms('MaxSpareThreads'), ['worker', 'event']);
    assert.deepEqual(mpms('AsyncRequestWorkerFactor'), ['event']);
    assert.deepEqual(mpms('MaxRequestWorkers'), ['prefork', 'worker', 'event']);
  });

  it('has help for every directive, one or two sentences', () => {
    for (const d of DIRECTIVES) {
      const sentences = d.help.split(/(?<=\.)\s+(?=[A-Z])/).length;
      assert.ok(d.help.endsWith('.') && sentences >= 1 && sentences <= 2, `${d.name}: ${d.help}`);
    }
  });

  it('looks directives up by their exact spelling only', () => {
    assert.equal(directiveDef('ServerLimit').max, 200_000);
    assert.equal(directiveDef('AsyncRequestWorkerFactor').exclusiveMin, 0);
    assert.equal(directiveDef('serverlimit'), undefined);
    assert.equal(directiveDef('MaxClients'), undefined);
    assert.equal(directiveDef('toString'), undefined);
  });
});
