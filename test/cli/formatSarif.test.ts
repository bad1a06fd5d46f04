import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileLocation, formatSarif } from '../../server/src/cli/formatSarif';
import { RULES } from '../../server/src/engine/rules/ruleTable';
import { doc, finding, range, sampleSet, setResult } from './setResults';
import { validateText } from '../../server/src/engine/validation/validateDocument';
import { DEFAULT_SETTINGS } from '../../server/src/engine/config/types';

type Json = any;

function sarif(...args: Parameters<typeof formatSarif>): Json {
  return JSON.parse(formatSarif(...args));
}

describe('formatSarif', () => {
  it('is a SARIF 2.1.0 log with one run whose driver lists every rule with its default level', () => {
    const log = sarif(sampleSet(), { toolVersion: '9.8.7', baseDir: '/work/feeds' });
    assert.deepEqual(log.runs[0].originalUriBaseIds, { SRCROOT: { uri: 'file:///work/feeds/' } });
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.equal(run.tool.driver.name, 'alma-sis');
    assert.equal(run.tool.driver.version, '9.8.7');
    assert.deepEqual(
      run.tool.driver.rules,
      RULES.map((rule) => ({
        id: rule.id,
        shortDescription: { text: rule.description },
        defaultConfiguration: { level: { error: 'error', warning: 'warning', info: 'note' }[rule.severity] },
      })),
    );
    assert.equal(run.tool.driver.rules.find((r: Json) => r.id === 'v1-deprecated').defaultConfiguration.level, 'note');
    assert.deepEqual(run.invocations, [{ executionSuccessful: true }]);
  });

  it('gives each result its rule, level, message and a 1-based region in a listed artifact', () => {
    const run = sarif(sampleSet(), { toolVersion: '1.0.0', baseDir: '/work/feeds' }).runs[0];
    assert.deepEqual(run.artifacts, [
      { location: { uri: 'feed/students.xml', uriBaseId: 'SRCROOT' } },
      { location: { uri: 'feed/staff.xml', uriBaseId: 'SRCROOT' } },
    ]);
    assert.equal(run.results.length, 4);
    const [date, duplicate, pin, deprecated] = run.results;
    assert.deepEqual(date, {
      ruleId: 'invalid-date',
      ruleIndex: RULES.findIndex((r) => r.id === 'invalid-date'),
      level: 'error',
      message: { text: '"2025-13-01" is not a valid date for <expiry_date>; use YYYY-MM-DD.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'feed/students.xml', uriBaseId: 'SRCROOT', index: 0 },
            region: { startLine: 5, startColumn: 18, endLine: 5, endColumn: 28 },
          },
        },
      ],
    });
    for (const result of run.results) assert.equal(RULES[result.ruleIndex].id, result.ruleId);
    assert.equal(pin.level, 'warning');
    assert.equal(deprecated.level, 'note');
    assert.deepEqual(duplicate.relatedLocations, [
      {
        id: 0,
        message: { text: 'first used here' },
        physicalLocation: {
          artifactLocation: { uri: 'feed/students.xml', uriBaseId: 'SRCROOT', index: 0 },
          region: { startLine: 3, startColumn: 17, endLine: 3, endColumn: 19 },
        },
      },
    ]);
  });

  it('models an XML file in a zip as a nested artifact whose parent is the zip, listed once', () => {
    const result = setResult(
      doc('load/feed.zip!/a.xml', [finding('pin-format', 'warning', 'pin', range(0, 0, 0, 1))]),
      doc('load/feed.zip!/sub dir/b.xml', [
        finding('duplicate-identifier', 'error', 'dup', range(1, 2, 1, 4), [{ path: 'load/feed.zip!/a.xml', range: range(1, 2, 1, 4), message: 'first' }]),
      ]),
    );
    const run = sarif(result, { toolVersion: '1.0.0', baseDir: '/work/feeds' }).runs[0];
    assert.deepEqual(run.artifacts, [
      { location: { uri: 'load/feed.zip', uriBaseId: 'SRCROOT' } },
      { location: { uri: 'a.xml' }, parentIndex: 0 },
      { location: { uri: 'sub%20dir/b.xml' }, parentIndex: 0 },
    ]);
    assert.deepEqual(run.results[0].locations[0].physicalLocation.artifactLocation, { uri: 'a.xml', index: 1 });
    assert.deepEqual(run.results[1].locations[0].physicalLocation.artifactLocation, { uri: 'sub%20dir/b.xml', index: 2 });
    assert.deepEqual(run.results[1].relatedLocations[0].physicalLocation.artifactLocation, { uri: 'a.xml', index: 1 });
  });

  it('reports notes about the input as tool notifications pointing at the skipped entry', () => {
    const run = sarif(setResult(doc('feed.zip!/a.xml', [])), {
      toolVersion: '1.0.0',
      baseDir: '/work/feeds',
      notes: [{ path: 'feed.zip!/readme.txt', message: 'not an XML file, skipped' }],
    }).runs[0];
    assert.deepEqual(run.invocations[0].toolExecutionNotifications, [
      {
        level: 'note',
        message: { text: 'not an XML file, skipped' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'readme.txt', index: 2 } } }],
      },
    ]);
    assert.deepEqual(run.artifacts[2], { location: { uri: 'readme.txt' }, parentIndex: 0 });
    assert.deepEqual(run.results, []);
  });

  it('names files inside the working directory relative to SRCROOT, and any other as an absolute file: URI', () => {
    const base = '/work/feeds';
    assert.deepEqual(fileLocation('feed/students.xml', base), { uri: 'feed/students.xml', uriBaseId: 'SRCROOT' });
    assert.deepEqual(fileLocation('./feed/a b#1%.xml', base), { uri: 'feed/a%20b%231%25.xml', uriBaseId: 'SRCROOT' });
    assert.deepEqual(fileLocation('a:b.xml', base), { uri: 'a%3Ab.xml', uriBaseId: 'SRCROOT' });
    assert.deepEqual(fileLocation('../up/é.xml', base), { uri: 'file:///work/up/%C3%A9.xml' });
    assert.deepEqual(fileLocation('/srv/sis/users.xml', base), { uri: 'file:///srv/sis/users.xml' });
  });

  it('takes only real zip entries as nested artifacts: a folder named x.zip! is a folder', () => {
    const run = sarif(setResult({ path: 'x.zip!/users.xml', schemaVersion: 2, users: 1, findings: [finding('pin-format', 'warning', 'pin', range(0, 0, 0, 1))] }), { toolVersion: '1.0.0', baseDir: '/work/feeds' }).runs[0];
    assert.deepEqual(run.artifacts, [{ location: { uri: 'x.zip!/users.xml', uriBaseId: 'SRCROOT' } }]);
    assert.deepEqual(run.results[0].locations[0].physicalLocation.artifactLocation, { uri: 'x.zip!/users.xml', uriBaseId: 'SRCROOT', index: 0 });
  });

  it('streams a log of many results that parses as one document, with occurrence counts of collapsed findings', () => {
    const many = Array.from({ length: 5000 }, (_, k) => finding('pin-format', 'warning', `pin ${k}`, range(k, 0, k, 1)));
    many[0] = { ...many[0], occurrences: 7 };
    const run = sarif(setResult(doc('big.xml', many)), { toolVersion: '1.0.0', baseDir: '/work/feeds' }).runs[0];
    assert.equal(run.results.length, 5000);
    assert.equal(run.results[0].occurrenceCount, 7);
    assert.equal(run.results[1].occurrenceCount, undefined);
    assert.equal(run.results[4999].message.text, 'pin 4999');
  });
});

describe('formatSarif: a collapsed finding that rejects users', () => {
  it('lists every other place as a related location naming its user', () => {
    const users = ['t1', 't2', 't3'].map((id) => `<user><primary_id>${id}</primary_id><first_name>A</first_name><expiry_date>12/31/2027</expiry_date></user>\n`).join('');
    const result = validateText(`<users>\n${users}</users>\n`, 'temple.xml', DEFAULT_SETTINGS);
    const log = sarif(setResult(result), { toolVersion: '1', baseDir: '/work' });
    const [date] = log.runs[0].results.filter((r: Json) => r.ruleId === 'invalid-date');
    assert.equal(date.occurrenceCount, 3);
    assert.deepEqual(date.relatedLocations.map((r: Json) => `${r.physicalLocation.region.startLine} ${r.message.text}`), ['3 also here: user t2', '4 also here: user t3']);
  });
});
