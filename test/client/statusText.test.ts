import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatStatus } from '../../client/src/statusText';

test('the status names the schema version, the users, the problems and the time', () => {
  assert.deepEqual(formatStatus({ schemaVersion: 2, users: 10432, errors: 3, warnings: 1, infos: 0, ms: 41.6 }), {
    text: 'Alma users v2',
    detail: '10,432 users: 3 errors, 1 warning; validated in 42 ms',
    level: 'error',
  });
  assert.deepEqual(formatStatus({ schemaVersion: 1, users: 1, errors: 0, warnings: 0, infos: 2, ms: 0.42 }), {
    text: 'Alma users v1',
    detail: '1 user: 0 errors, 0 warnings, 2 infos; validated in 0.4 ms',
    level: 'information',
  });
});

test('warnings without errors make a warning; a summary without a version says none', () => {
  const status = formatStatus({ users: 0, errors: 0, warnings: 2, infos: 1, ms: 1530 });
  assert.equal(status.text, 'Alma users');
  assert.equal(status.level, 'warning');
  assert.equal(status.detail, '0 users: 0 errors, 2 warnings, 1 info; validated in 1.5 s');
});

test('durations read as people read them', () => {
  assert.equal(formatDuration(3.14), '3.1 ms');
  assert.equal(formatDuration(999.4), '999 ms');
  assert.equal(formatDuration(61_000), '61.0 s');
  assert.equal(formatDuration(Number.NaN), '?');
});
