import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, formatDiskStatus, HELD_BACK_BYTES, mayBeHeldBack, unsyncedXmlFiles, type TabFile } from '../../client/src/diskTabs';

const tab = (path: string, scheme = 'file'): TabFile => ({ uri: `${scheme}://${path}`, scheme, path });

test('the tabs that need a check from disk: XML files on disk without a synced document, each once', () => {
  const big = tab('/feeds/big.xml');
  const shouting = tab('/feeds/OTHER.XML');
  const synced = tab('/feeds/small.xml');
  const tabs = [
    big,
    synced,
    // Not a text tab (a settings editor, an image): no file.
    undefined,
    tab('/feeds/notes.txt'),
    tab('/feeds/remote.xml', 'vscode-remote'),
    tab('/Untitled-1.xml', 'untitled'),
    shouting,
    // The same file in a second editor group.
    { ...big },
  ];
  assert.deepEqual(unsyncedXmlFiles(tabs, new Set([synced.uri])), [big, shouting]);
  assert.deepEqual(unsyncedXmlFiles([], new Set()), []);
});

test('only a file over 10 MB may be one VS Code holds back; a smaller one is still loading', () => {
  assert.equal(mayBeHeldBack(60 * 1024 * 1024), true);
  assert.equal(mayBeHeldBack(HELD_BACK_BYTES + 1), true);
  assert.equal(mayBeHeldBack(HELD_BACK_BYTES), false);
  assert.equal(mayBeHeldBack(2_000), false);
});

const result = { users: 20_000, errors: 1, warnings: 0, infos: 1, ms: 1234, schemaVersion: 2 as const };

test('a checked file\'s status says it was checked from disk, when, that edits show on save, and the counts', () => {
  const status = formatDiskStatus({ kind: 'checked', result, at: new Date(2026, 11, 2, 9, 5) });
  assert.deepEqual(status, {
    text: '$(error) Alma users v2 · checked from disk at 09:05, edits show on save · 1 error, 0 warnings',
    tooltip: '20,000 users: 1 error, 0 warnings, 1 info; validated in 1.2 s\n'
      + 'VS Code gives extensions no file over 50 MB, so this one is validated from disk, streaming, when its tab opens and whenever it is saved.\n'
      + 'Click to check it again.',
    level: 'error',
  });
  const clean = formatDiskStatus({ kind: 'checked', result: { ...result, errors: 0, warnings: 2, schemaVersion: 1 }, at: new Date(2026, 0, 1, 23, 59) });
  assert.equal(clean?.text, '$(warning) Alma users v1 · checked from disk at 23:59, edits show on save · 0 errors, 2 warnings');
  assert.equal(clean?.level, 'warning');
});

test('while a check runs the status says so, with the version found last time', () => {
  assert.equal(formatDiskStatus({ kind: 'checking' })?.text, '$(sync~spin) Alma SIS · checking from disk');
  const last = { kind: 'checked' as const, result, at: new Date(2026, 11, 2, 9, 5) };
  assert.equal(formatDiskStatus({ kind: 'checking', last })?.text, '$(sync~spin) Alma users v2 · checking from disk');
});

test('a failed check says why and that a click tries again; a file that is not an Alma file gets no status', () => {
  const failed = formatDiskStatus({ kind: 'failed', message: 'EACCES: permission denied', at: new Date(2026, 11, 2, 14, 30) });
  assert.equal(failed?.text, '$(warning) Alma SIS · could not check from disk');
  assert.equal(failed?.tooltip, 'At 14:30: EACCES: permission denied\nClick to try again.');
  assert.equal(formatDiskStatus({ kind: 'not-alma' }), undefined);
});

test('the time of day in hours and minutes, two digits each', () => {
  assert.equal(clock(new Date(2026, 0, 1, 0, 0)), '00:00');
  assert.equal(clock(new Date(2026, 0, 1, 7, 3)), '07:03');
  assert.equal(clock(new Date(2026, 0, 1, 18, 45)), '18:45');
});
