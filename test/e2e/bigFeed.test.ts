import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleFile } from '../../server/src/engine';
import { repoRoot } from '../helpers/repoRoot';
import {
  closeEditor, goToPosition, missingForCodeServer, openEditor, problemRows, quickOpen, waitFor, waitForToast, type CodeServer, type Editor,
} from './codeServerHarness';

/*
 * A feed too big for VS Code to give extensions (59 MiB: it syncs nothing over 50 MB) in a real
 * VS Code (code-server): opening its tab is enough for its problems to reach the Problems panel,
 * a duplicate of an earlier file of its folder included, and for the status bar to say it was
 * checked from disk; writing the file checks it again. No command is run for that.
 */

const root = repoRoot();
const skip = missingForCodeServer();
const artifacts = join(root, '.tmp', 'artifacts');
const BIG = 'feed-2-big.xml';
const EARLIER = 'feed-1.xml';
/** About 3.2 KB a generated user: 19,400 users make 59 MiB. */
const USERS = 19_400;
/** Streaming 59 MiB and publishing on a loaded 2-core machine: generous, as only the validation waits this long. */
const VALIDATION_TIMEOUT = 240_000;

let work: string;
let folder: string;
let editor: Editor | undefined;
/** The big file's bytes as planted, kept to write it again. */
let planted: Buffer;
let inFileId: string;
let crossFileId: string;

/** The values of the first and the last `count` `<primary_id>`s of a file, with where the last ones' values are. */
function primaryIds(bytes: Buffer): { value: string; start: number; end: number }[] {
  const found: { value: string; start: number; end: number }[] = [];
  const open = Buffer.from('<primary_id>');
  const close = Buffer.from('</primary_id>');
  for (let at = bytes.indexOf(open); at >= 0; at = bytes.indexOf(open, at + 1)) {
    const start = at + open.length;
    const end = bytes.indexOf(close, start);
    found.push({ value: bytes.toString('utf8', start, end), start, end });
  }
  return found;
}

function replaced(bytes: Buffer, start: number, end: number, value: string): Buffer {
  return Buffer.concat([bytes.subarray(0, start), Buffer.from(value), bytes.subarray(end)]);
}

before(async () => {
  if (skip !== undefined) return;
  work = mkdtempSync(join(tmpdir(), 'alma-sis-e2e-big-'));
  folder = join(work, 'workspace');
  mkdirSync(folder);
  await writeSampleFile(join(folder, EARLIER), { users: 3, seed: 'earlier' });
  const bigPath = join(folder, BIG);
  await writeSampleFile(bigPath, { users: USERS, seed: 'big' });
  // Near the end: the file's first user's primary_id again, and then the earlier file's.
  let bytes: Buffer = readFileSync(bigPath);
  const ids = primaryIds(bytes);
  inFileId = ids[0].value;
  crossFileId = primaryIds(readFileSync(join(folder, EARLIER)))[0].value;
  const last = ids[ids.length - 1];
  const beforeLast = ids[ids.length - 3];
  bytes = replaced(bytes, last.start, last.end, crossFileId);
  bytes = replaced(bytes, beforeLast.start, beforeLast.end, inFileId);
  planted = bytes;
  writeFileSync(bigPath, bytes);
  const size = statSync(bigPath).size;
  console.log(`# ${BIG}: ${USERS} users, ${(size / 1048576).toFixed(1)} MiB`);
  assert.ok(size > 58 * 1048576 && size < 60 * 1048576, `${size} bytes`);

  editor = await openEditor({ root, work, folder });
  await quickOpen(editor.browser.page, BIG);
}, { timeout: 300_000 });

after(async () => {
  try {
    if (editor !== undefined) {
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, 'code-server-big-feed.log'), extensionLog(editor.server));
    }
  } finally {
    await closeEditor(editor, join(artifacts, 'code-server-big-feed-end.png'), work);
  }
});

function extensionLog(cs: CodeServer): string {
  return cs.logFiles('Alma SIS').map((file) => readFileSync(file, 'utf8')).join('');
}

/** The Problems panel's rows, spaces squeezed ("message alma-sis(rule) [Ln, Col]"). */
async function rowsNow(): Promise<string[]> {
  return (await problemRows(editor!.browser.page)).map((row) => row.replace(/\s+/g, ' '));
}

const duplicateOf = (id: string) => (row: string) => row.includes(`"${id}"`) && /alma-sis\W*duplicate-identifier\b/.test(row);

/** The status bar item of a file checked from disk. */
function diskStatus() {
  return editor!.browser.page.locator('.statusbar-item', { hasText: 'checked from disk at' }).first();
}

test('a 59 MiB feed: its planted duplicates reach the Problems panel without a command, and the status says it was checked from disk', { skip, timeout: VALIDATION_TIMEOUT + 120_000 }, async () => {
  const page = editor!.browser.page;
  await page.keyboard.press('Control+Shift+M');
  const rows = await waitFor(rowsNow, (r) => r.some(duplicateOf(inFileId)) && r.some(duplicateOf(crossFileId)), VALIDATION_TIMEOUT);
  assert.ok(rows.some(duplicateOf(inFileId)), `the duplicate inside the file in ${JSON.stringify(rows)}\n${extensionLog(editor!.server)}`);
  // The earlier file of the folder holds this one first: the problem says where.
  assert.ok(rows.some((r) => duplicateOf(crossFileId)(r) && r.includes(EARLIER)), `the duplicate of ${EARLIER} in ${JSON.stringify(rows)}`);

  await diskStatus().waitFor({ timeout: 60_000 });
  const text = (await diskStatus().innerText()).replace(/\s+/g, ' ').trim();
  assert.match(text, /^Alma users v2 · checked from disk at \d\d:\d\d, edits show on save · 2 errors, 0 warnings$/);
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'code-server-big-feed.png') });
});

test('the feed written again (as a save writes it) is checked again by itself', { skip, timeout: VALIDATION_TIMEOUT + 60_000 }, async () => {
  // The duplicate inside the file is fixed; the one of the earlier file stays.
  const ids = primaryIds(planted);
  const fixed = ids[ids.length - 3];
  writeFileSync(join(folder, BIG), replaced(planted, fixed.start, fixed.end, 'fixed.user'));
  const rows = await waitFor(rowsNow, (r) => !r.some(duplicateOf(inFileId)) && r.some(duplicateOf(crossFileId)), VALIDATION_TIMEOUT);
  assert.ok(!rows.some(duplicateOf(inFileId)) && rows.some(duplicateOf(crossFileId)), JSON.stringify(rows));
  const text = await waitFor(async () => (await diskStatus().innerText()).replace(/\s+/g, ' ').trim(), (t) => t.endsWith('· 1 error, 0 warnings'), 60_000);
  assert.match(text, /· 1 error, 0 warnings$/);
});

test('a click on the status runs Validate File on Disk on the tab\'s file', { skip, timeout: VALIDATION_TIMEOUT + 60_000 }, async () => {
  await diskStatus().click();
  // The progress notification names the file too: the answer is the one with the users.
  const toast = await waitForToast(editor!.browser.page, `${BIG} on disk: ${USERS.toLocaleString('en-US')} users`, VALIDATION_TIMEOUT);
  assert.match(toast, new RegExp(`${BIG} on disk: ${USERS.toLocaleString('en-US')} users: 1 error, 0 warnings`));
});

test('a configuration written beside the feed checks it again with the new severities, without a save of the feed', { skip, timeout: VALIDATION_TIMEOUT + 60_000 }, async () => {
  const config = join(folder, 'alma-sis.config.json');
  writeFileSync(config, '{\n  "rules": { "duplicate-identifier": "warning" }\n}\n');
  try {
    const text = await waitFor(async () => (await diskStatus().innerText()).replace(/\s+/g, ' ').trim(), (t) => t.endsWith('· 0 errors, 1 warning'), VALIDATION_TIMEOUT);
    assert.match(text, /· 0 errors, 1 warning$/, extensionLog(editor!.server));
  } finally {
    // Back to the defaults for the test after this one, and checked again once more.
    unlinkSync(config);
  }
  const text = await waitFor(async () => (await diskStatus().innerText()).replace(/\s+/g, ' ').trim(), (t) => t.endsWith('· 1 error, 0 warnings'), VALIDATION_TIMEOUT);
  assert.match(text, /· 1 error, 0 warnings$/);
});

test('opened anyway, the feed is edited and saved: the editor still gives extensions nothing, and the save is checked', { skip, timeout: VALIDATION_TIMEOUT + 180_000 }, async () => {
  const page = editor!.browser.page;
  await page.locator('.monaco-button', { hasText: 'Open Anyway' }).first().click();
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: 120_000 });
  // Where the duplicate of the earlier file's primary_id starts (its line and column, 1-based).
  const ids = primaryIds(planted);
  const at = ids[ids.length - 1].start;
  const line = planted.subarray(0, at).filter((byte) => byte === 0x0a).length + 1;
  const column = at - planted.lastIndexOf(0x0a, at);
  await goToPosition(page, line, column);
  await page.keyboard.type('x');
  await page.keyboard.press('Control+S');
  const rows = await waitFor(rowsNow, (r) => r.length === 0, VALIDATION_TIMEOUT);
  assert.deepEqual(rows, []);
  const text = await waitFor(async () => (await diskStatus().innerText()).replace(/\s+/g, ' ').trim(), (t) => t.endsWith('· 0 errors, 0 warnings'), 60_000);
  assert.match(text, /^Alma users v2 · checked from disk at \d\d:\d\d, edits show on save · 0 errors, 0 warnings$/);
});
