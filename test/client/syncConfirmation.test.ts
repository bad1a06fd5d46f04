import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LastDryRunSummary } from '../../client/src/dryRunMemory';
import { syncConfirmation, type SyncConfirmationFacts } from '../../client/src/syncConfirmation';

/*
 * The question before a synchronize upload (client/src/syncConfirmation.ts): the target, what the
 * zip's last dry-run found and how old it is, and when that summary should not be believed. The
 * dialog in an editor: test/e2e/uploadSafety.test.ts.
 */

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const SUMMARY = '8 users (synchronize, matched by primary_id, against 6 existing): 1 new, 5 updated, 1 unchanged, 1 rejected (12.5%)';

function facts(lastDryRun?: LastDryRunSummary, zipMtimeMs = NOW - 3 * HOUR): SyncConfirmationFacts {
  return { zipName: 'nightly.zip', zipMtimeMs, host: 'sftp.example.edu', folder: '/upload/synchronize', profile: 'STUDENTS', lastDryRun, nowMs: NOW };
}

function run(overrides: Partial<LastDryRunSummary> = {}): LastDryRunSummary {
  return { summaryLine: SUMMARY, alert: false, at: new Date(NOW - 2 * HOUR).toISOString(), baseline: '/work/exports/export-users.xml', profile: 'STUDENTS', ...overrides };
}

test('the question names the zip and the target as host:folder', () => {
  const asked = syncConfirmation(facts(run()));
  assert.equal(asked.message, 'Alma SIS: upload nightly.zip to sftp.example.edu:/upload/synchronize for a synchronize?');
  assert.match(asked.detail, /^Alma's synchronize job of profile STUDENTS reads that folder .*swap-all/);
});

test('without a dry-run on record it says so and offers one first', () => {
  const asked = syncConfirmation(facts());
  assert.match(asked.detail, /No dry-run of this zip is on record/);
  assert.deepEqual([asked.upload, asked.dryRun], ['Upload Anyway', 'Run Dry-run First']);
  // Enter runs the dry-run: an unchecked synchronize is never the default.
  assert.deepEqual(asked.buttons, ['Run Dry-run First', 'Upload Anyway']);
  assert.deepEqual(asked.warnings, []);
});

test('a dry-run made after the zip was written: its summary, its age and baseline, and a plain Upload', () => {
  const asked = syncConfirmation(facts(run()));
  assert.ok(asked.detail.includes(`Last dry-run of this zip, 2 hours ago (baseline export-users.xml, profile STUDENTS):\n${SUMMARY}`), asked.detail);
  assert.deepEqual(asked.warnings, []);
  assert.doesNotMatch(asked.detail, /Warning/);
  assert.deepEqual([asked.upload, asked.dryRun], ['Upload', 'Run Dry-run Again']);
  assert.deepEqual(asked.buttons, ['Upload', 'Run Dry-run Again']);
});

test('over the 5% alert threshold: warned, and the upload is "Upload Anyway"', () => {
  const asked = syncConfirmation(facts(run({ alert: true })));
  assert.deepEqual(asked.warnings, ["The rejected users are at or over Alma's 5% alert threshold."]);
  assert.match(asked.detail, /\n\nWarning: The rejected users are at or over Alma's 5% alert threshold\.$/);
  assert.equal(asked.upload, 'Upload Anyway');
  assert.deepEqual(asked.buttons, ['Run Dry-run Again', 'Upload Anyway']);
});

test('a zip written after its dry-run: the summary may describe another zip of that name', () => {
  const asked = syncConfirmation(facts(run(), NOW - 10 * 60_000));
  assert.deepEqual(asked.warnings, ['The zip was written after that dry-run (modified 10 minutes ago): the summary may not describe it.']);
  assert.equal(asked.upload, 'Upload Anyway');
  // Written in the same millisecond as the dry-run finished: the dry-run read it.
  assert.deepEqual(syncConfirmation(facts(run(), NOW - 2 * HOUR)).warnings, []);
});

test('a dry-run with another profile, or an unreadable time, is not taken for this upload\'s', () => {
  assert.deepEqual(syncConfirmation(facts(run({ profile: 'STAFF' }))).warnings, ['That dry-run used profile STAFF, this upload STUDENTS.']);
  const unknown = syncConfirmation(facts(run({ at: 'yesterday' })));
  assert.match(unknown.detail, /Last dry-run of this zip, at an unknown time/);
  assert.equal(unknown.warnings.length, 1);
  assert.equal(unknown.upload, 'Upload Anyway');
  // Without a configuration the dry-run ran with no profile: nothing to compare.
  const none = syncConfirmation(facts(run({ profile: undefined })));
  assert.match(none.detail, /\(baseline export-users\.xml\):/);
  assert.deepEqual(none.warnings, []);
});

test('every warning at once, in the order they matter', () => {
  const asked = syncConfirmation(facts(run({ alert: true, profile: 'STAFF', baseline: 'C:\\exports\\users.zip' }), NOW - HOUR));
  assert.equal(asked.warnings.length, 3);
  assert.match(asked.warnings[0], /5% alert/);
  assert.match(asked.warnings[1], /written after/);
  assert.match(asked.warnings[2], /profile STAFF/);
  assert.match(asked.detail, /\(baseline users\.zip, profile STAFF\)/);
});
