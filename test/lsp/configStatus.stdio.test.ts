import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, FileChangeType } from 'vscode-languageserver-protocol';
import { DocumentStatusNotification, type DocumentStatusParams } from '../../server/src/protocol/messages';
import { configText } from '../../client/src/configWizard';
import { repoRoot } from '../helpers/repoRoot';
import { StdioClient } from './stdioClient';

/*
 * The configuration a document was validated with, as the bundled server's almaSis/documentStatus
 * names it for the language status: the file, the profile and its code tables, or why the file
 * could not be used and where its first problem is, or nothing when there is none. Each scenario
 * has its own folder (the configuration applies to the files below it).
 */

const samples = join(repoRoot(), 'samples');
let work: string;
let client: StdioClient;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-config-'));
  client = new StdioClient();
  await client.initialize({}, work);
});

after(async () => {
  await client.stop();
  rmSync(work, { recursive: true, force: true });
});

function usersFile(dir: string): { uri: string; text: string } {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'users.xml');
  copyFileSync(join(samples, 'valid', 'users-v2.xml'), path);
  return { uri: pathToFileURL(path).href, text: readFileSync(path, 'utf8') };
}

/** The first status for `uri` after the `from`th notification that satisfies `accept`. */
async function status(uri: string, accept: (s: DocumentStatusParams) => boolean = () => true, from = 0): Promise<DocumentStatusParams> {
  const found = await client.waitFor(() => client.notifications.slice(from).find((n) =>
    n.method === DocumentStatusNotification.method && (n.params as DocumentStatusParams).uri === uri && accept(n.params as DocumentStatusParams)), 20_000);
  assert.ok(found, `a document status for ${uri}; got ${JSON.stringify(client.notifications.filter((n) => n.method === DocumentStatusNotification.method).map((n) => n.params))}`);
  return found.params as DocumentStatusParams;
}

test('a configuration in use: its file, its profile and name, and its code tables', async () => {
  const dir = join(work, 'configured');
  const doc = usersFile(dir);
  copyFileSync(join(samples, 'alma-sis.config.json'), join(dir, 'alma-sis.config.json'));
  copyFileSync(join(samples, 'code-tables.json'), join(dir, 'code-tables.json'));
  await client.open(doc.uri, doc.text);
  const { config } = await status(doc.uri);
  assert.deepEqual(config, {
    path: join(dir, 'alma-sis.config.json'),
    profile: 'STUDENTS',
    profileName: 'Students from Banner',
    codeTables: join(dir, 'code-tables.json'),
  });
});

test('no configuration: the status names none, and a configuration created beside the file is taken up with its profile', async () => {
  const dir = join(work, 'bare');
  const doc = usersFile(dir);
  await client.open(doc.uri, doc.text);
  const first = await status(doc.uri);
  assert.deepEqual(first.config, {});

  // What Create Configuration writes, and the watcher reports.
  const configPath = join(dir, 'alma-sis.config.json');
  writeFileSync(configPath, configText({ code: 'WIZARD', name: 'Made by the wizard', xsdVersion: 2, recordType: 'STAFF', usedFor: 'users', matchIdType: 'primary_id', unmatched: 'reject' }));
  const from = client.notifications.length;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(configPath).href, type: FileChangeType.Created }] });
  const after = await status(doc.uri, (s) => s.config?.profile !== undefined, from);
  assert.deepEqual(after.config, { path: configPath, profile: 'WIZARD', profileName: 'Made by the wizard' });
});

test('a broken configuration: the file, why it cannot be used and where, and no profile (the defaults apply)', async () => {
  const dir = join(work, 'broken');
  const doc = usersFile(dir);
  const configPath = join(dir, 'alma-sis.config.json');
  writeFileSync(configPath, '{\n  "profiles": [\n    { "code": "X", "xsdVersion": 7 }\n  ]\n}\n');
  await client.open(doc.uri, doc.text);
  const { config } = await status(doc.uri);
  assert.equal(config?.path, configPath);
  assert.match(config?.problem ?? '', /xsdVersion/);
  assert.ok(config?.problem?.includes(`${configPath}:3:`), config?.problem);
  // 0-based: line 3 of the file, at the value's key.
  assert.equal(config?.problemAt?.line, 2);
  assert.equal(config?.problemAt?.character, readFileSync(configPath, 'utf8').split('\n')[2].indexOf('"xsdVersion"'));
  assert.equal(config?.profile, undefined);
  assert.equal(config?.codeTables, undefined);
});

test('a code tables file that cannot be read: the problem names that file, and the status points there', async () => {
  const dir = join(work, 'badtables');
  const doc = usersFile(dir);
  writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'T', codeTables: 'tables.json' }] }));
  writeFileSync(join(dir, 'tables.json'), '{ "userGroups": [ ');
  await client.open(doc.uri, doc.text);
  const { config } = await status(doc.uri);
  assert.equal(config?.path, join(dir, 'tables.json'));
  assert.match(config?.problem ?? '', /JSON syntax error/);
  assert.equal(config?.problemAt?.line, 0);
});
