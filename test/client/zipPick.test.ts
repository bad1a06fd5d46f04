import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAge, formatSize, newestFirst, zipPickItems, type ZipFile } from '../../client/src/zipPick';

/*
 * The zips Upload to SFTP offers when it is not started on one (client/src/zipPick.ts): newest
 * first, with size and age. The pick itself, in an editor: test/e2e/uploadSafety.test.ts.
 */

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MINUTE = 60_000;

function zip(name: string, minutesAgo: number, size = 1000, where = ''): ZipFile {
  return { uri: `file:///ws/${where === '' ? '' : `${where}/`}${name}`, name, where, size, mtimeMs: NOW - minutesAgo * MINUTE };
}

test('the newest zip comes first, whatever the order the search found them in', () => {
  const found = [zip('old.zip', 60 * 24 * 3), zip('new.zip', 2), zip('middle.zip', 90)];
  assert.deepEqual(newestFirst(found).map((z) => z.name), ['new.zip', 'middle.zip', 'old.zip']);
  assert.deepEqual(found.map((z) => z.name), ['old.zip', 'new.zip', 'middle.zip'], 'the input is not reordered in place');
});

test('zips written in the same moment keep one order: by folder, then name', () => {
  const found = [zip('b.zip', 5, 1, 'outbox'), zip('a.zip', 5, 1, 'outbox'), zip('z.zip', 5, 1, ''), zip('a.zip', 5, 1, 'archive')];
  const once = newestFirst(found).map((z) => z.uri);
  assert.deepEqual(once, ['file:///ws/z.zip', 'file:///ws/archive/a.zip', 'file:///ws/outbox/a.zip', 'file:///ws/outbox/b.zip']);
  assert.deepEqual(newestFirst([...found].reverse()).map((z) => z.uri), once);
});

test('each row names the zip, its folder, its size and how long ago it was written', () => {
  const items = zipPickItems([zip('STUDENTS-20261130T020000Z.zip', 60 * 34, 2_400_000, 'outbox'), zip('nightly.zip', 0.5, 204_800)], NOW);
  assert.deepEqual(items, [
    { label: 'nightly.zip', description: '', detail: '205 KB, modified just now', uri: 'file:///ws/nightly.zip' },
    { label: 'STUDENTS-20261130T020000Z.zip', description: 'outbox', detail: '2.4 MB, modified 34 hours ago', uri: 'file:///ws/outbox/STUDENTS-20261130T020000Z.zip' },
  ]);
});

test('sizes in decimal units, as the upload progress counts them', () => {
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(1), '1 byte');
  assert.equal(formatSize(999), '999 bytes');
  assert.equal(formatSize(1000), '1.0 KB');
  assert.equal(formatSize(9_940), '9.9 KB');
  assert.equal(formatSize(9_960), '10 KB');
  assert.equal(formatSize(999_400), '999 KB');
  assert.equal(formatSize(999_600), '1.0 MB');
  assert.equal(formatSize(262_800_000), '263 MB');
  assert.equal(formatSize(4_300_000_000), '4.3 GB');
});

test('ages in the one unit that reads at a glance; a time in the future is "just now"', () => {
  const at = (ms: number) => formatAge(NOW - ms, NOW);
  assert.equal(at(0), 'just now');
  assert.equal(at(59_999), 'just now');
  assert.equal(at(MINUTE), '1 minute ago');
  assert.equal(at(59 * MINUTE), '59 minutes ago');
  assert.equal(at(60 * MINUTE), '1 hour ago');
  assert.equal(at(47 * 60 * MINUTE), '47 hours ago');
  assert.equal(at(48 * 60 * MINUTE), '2 days ago');
  assert.equal(at(400 * 24 * 60 * MINUTE), '400 days ago');
  assert.equal(at(-5 * MINUTE), 'just now');
});
