import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { ExecuteCommandRequest, ErrorCodes } from 'vscode-languageserver-protocol';
import { convertV1ToV2Text, dryRun, dryRunHtml, dryRunMarkdown, expandInputs, resolveProfile, sampleText, userTemplate } from '../../server/src/engine';
import {
  PinHostKeyRequest,
  ProfilesRequest,
  SERVER_COMMANDS,
  WatchedConfigFilesRequest,
  type AlmaSisExperimental,
  type ServerCommand,
  type ServerCommands,
} from '../../server/src/protocol/messages';
import { sealSecret } from '../../server/src/protocol/sealedSecret';
import { repoRoot } from '../helpers/repoRoot';
import { SFTP_TEST_PASSWORD, SFTP_TEST_USER, sshServerMissing, startSshServer, type SshServer } from '../helpers/sshServer';
import { StdioClient } from './stdioClient';

/*
 * The engine's work as the bundled server (dist/server.js over stdio) offers it to any client:
 * workspace/executeCommand for zip, dry-run, samples and upload, and the requests their pickers
 * need. The workspace's alma-sis.configPath is relative ("etc/alma-sis.config.json"): every
 * command must read it from the workspace folder, not from the server's working directory.
 */

const samples = join(repoRoot(), 'samples');
let work: string;
let client: StdioClient;
let sealKey: string;
let capabilities: Record<string, unknown>;

const RELATIVE_CONFIG = join('etc', 'alma-sis.config.json');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-commands-'));
  mkdirSync(join(work, 'etc'));
  copyFileSync(join(samples, 'alma-sis.config.json'), join(work, RELATIVE_CONFIG));
  copyFileSync(join(samples, 'code-tables.json'), join(work, 'etc', 'code-tables.json'));
  mkdirSync(join(work, 'feeds'));
  client = new StdioClient();
  // The server runs in another folder than the workspace, as an editor starts it.
  capabilities = await client.initialize({}, work, { settings: { configPath: RELATIVE_CONFIG } });
  sealKey = (capabilities.experimental as AlmaSisExperimental).almaSis.sealKey;
});

after(async () => {
  await client.stop();
  rmSync(work, { recursive: true, force: true });
});

function run<K extends ServerCommand>(command: K, args: ServerCommands[K]['args']): Promise<ServerCommands[K]['result']> {
  return client.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] }) as Promise<ServerCommands[K]['result']>;
}

function feed(name: string, sample: string): string {
  const path = join(work, 'feeds', name);
  copyFileSync(join(samples, sample), path);
  return path;
}

/** The settings the configuration gives, resolved in this process: what the server must have used. */
async function configured() {
  return resolveProfile({ configPath: join(work, RELATIVE_CONFIG), searchFrom: work });
}

test('the server advertises the zip, dry-run, sample, code tables import and upload commands, and a key to seal secrets to', () => {
  assert.deepEqual((capabilities.executeCommandProvider as { commands: string[] }).commands, [...SERVER_COMMANDS]);
  assert.deepEqual(SERVER_COMMANDS, ['alma-sis.createZip', 'alma-sis.dryRun', 'alma-sis.convertToV2', 'alma-sis.previewXslConversion', 'alma-sis.generateSample', 'alma-sis.importCodeTables', 'alma-sis.newFileFromUser', 'alma-sis.upload']);
  assert.match(sealKey, /^[A-Za-z0-9+/]+=*$/);
});

test('almaSis/profiles and watchedConfigFiles resolve the relative configPath from the workspace folder', async () => {
  const profiles = await client.connection.sendRequest(ProfilesRequest, { uri: pathToFileURL(feed('p.xml', 'valid/users-v2.xml')).href });
  assert.equal(profiles.configPath, join(work, RELATIVE_CONFIG));
  assert.deepEqual(profiles.profiles.map((p) => p.code), ['STUDENTS']);
  assert.equal(profiles.chosen, 'STUDENTS');
  assert.match(profiles.zipName, /^STUDENTS-\d{8}T\d{6}Z\.zip$/);
  assert.deepEqual(profiles.profiles[0].sftp?.folders, { synchronize: { folder: '/incoming/sis/synchronize' }, import: { folder: '/incoming/sis/import' } });
  const watched = await client.connection.sendRequest(WatchedConfigFilesRequest, { configPaths: [] });
  assert.deepEqual(watched, { named: join(work, RELATIVE_CONFIG), codeTablesFiles: [join(work, 'etc', 'code-tables.json')] });
});

test('alma-sis.createZip writes the zip with the profile\'s settings, refuses files with errors with the list, and writes them when forced', async () => {
  const good = feed('good.xml', 'valid/users-v2.xml');
  const out = join(work, 'out.zip');
  const created = await run('alma-sis.createZip', { inputs: [pathToFileURL(good).href], out });
  assert.ok(created.created, JSON.stringify(created));
  assert.deepEqual(created.entries.map((e) => e.name), ['good.xml']);
  assert.equal(created.forced, false);
  assert.deepEqual(execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).trim().split('\n'), ['good.xml']);

  const bad = feed('bad.xml', 'invalid/invalid-date.xml');
  const refused = await run('alma-sis.createZip', { inputs: [bad], out: join(work, 'bad.zip') });
  assert.equal(refused.created, false);
  if (refused.created) return;
  assert.equal(refused.reason, 'errors');
  assert.match(refused.firstError ?? '', /^bad\.xml:\d+: /);
  assert.ok(refused.errorList.split('\n').filter(Boolean).every((line) => line.startsWith(`${bad}:`) && / invalid-date /.test(line)), refused.errorList);
  assert.equal(existsSync(join(work, 'bad.zip')), false);
  const forced = await run('alma-sis.createZip', { inputs: [bad], out: join(work, 'bad.zip'), force: true });
  assert.ok(forced.created && forced.forced && forced.errors > 0, JSON.stringify(forced));
  assert.ok(existsSync(join(work, 'bad.zip')));
});

test('alma-sis.dryRun answers the engine\'s report for the feed against the baseline, and the rejected users by file', async () => {
  const input = feed('feed.xml', 'dry-run/feed.xml');
  const baseline = join(work, 'export.xml');
  copyFileSync(join(samples, 'dry-run', 'export.xml'), baseline);
  const result = await run('alma-sis.dryRun', { input: pathToFileURL(input).href, baseline });
  const resolved = await configured();
  const expected = await dryRun((await expandInputs([input])).documents, (await expandInputs([baseline])).documents, {
    settings: resolved.settings, matchIdType: resolved.profile?.matchIdType, unmatched: resolved.profile?.unmatched,
  });
  assert.equal(result.markdown, dryRunMarkdown(expected));
  assert.equal(result.html, dryRunHtml(expected));
  assert.equal(result.profile, 'STUDENTS');
  assert.equal(result.alert, expected.summary.alert);
  assert.deepEqual(result.rejections.map((r) => r.uri), [pathToFileURL(input).href]);
  assert.equal(result.rejections[0].marks.length, expected.users.filter((u) => u.outcome === 'rejected').length);
  // Every user the page has a row for, at its <user> tag: what the report view jumps to.
  assert.deepEqual(result.places, expected.users.flatMap((u, k) => (u.outcome === 'unchanged' ? [] : [{ user: k, uri: pathToFileURL(input).href, line: u.line, character: u.col }])));
  const lines = readFileSync(input, 'utf8').split('\n');
  assert.ok(result.places.length === 7 && result.places.every((p) => lines[p.line].slice(p.character).startsWith('user>')), JSON.stringify(result.places));
  assert.deepEqual([...result.html.matchAll(/<tr data-user="(\d+)">/g)].map((m) => Number(m[1])).filter((k, i, all) => all.indexOf(k) === i).sort((a, b) => a - b), result.places.map((p) => p.user));
});

test('alma-sis.dryRun without a baseline takes the profile\'s, which almaSis/profiles names; without one it says so', async () => {
  const input = feed('feed-b.xml', 'dry-run/feed.xml');
  const configPath = join(work, RELATIVE_CONFIG);
  const original = readFileSync(configPath, 'utf8');
  await assert.rejects(run('alma-sis.dryRun', { input }), (error: { code?: number; message: string }) => error.code === ErrorCodes.InvalidParams && /needs \{ baseline \}/.test(error.message));
  mkdirSync(join(work, 'exports'), { recursive: true });
  copyFileSync(join(samples, 'dry-run', 'export.xml'), join(work, 'exports', 'current.xml'));
  const config = JSON.parse(original);
  config.profiles[0].baseline = '../exports/*.xml';
  writeFileSync(configPath, JSON.stringify(config));
  try {
    const profiles = await client.connection.sendRequest(ProfilesRequest, { uri: pathToFileURL(input).href });
    assert.equal(profiles.profiles[0].baseline, join(work, 'exports', 'current.xml'));
    const implicit = await run('alma-sis.dryRun', { input });
    const explicit = await run('alma-sis.dryRun', { input, baseline: join(work, 'exports', 'current.xml') });
    assert.equal(implicit.markdown, explicit.markdown);
  } finally {
    writeFileSync(configPath, original);
  }
});

test('alma-sis.generateSample answers the text or writes the file, with the profile\'s codes; too many users for text are refused', async () => {
  const resolved = await configured();
  const options = { schema: 2 as const, researchers: false, users: 3, seed: 'e2e' };
  const text = await run('alma-sis.generateSample', options);
  assert.deepEqual(text, { text: sampleText({ ...options, codeTables: resolved.settings.codeTables, matchIdType: resolved.profile?.matchIdType }) });
  const out = join(work, 'sample.xml');
  assert.deepEqual(await run('alma-sis.generateSample', { ...options, out }), { path: out, users: 3 });
  assert.equal(readFileSync(out, 'utf8'), (text as { text: string }).text);
  await assert.rejects(run('alma-sis.generateSample', { ...options, users: 5001 }), (error: { code?: number; message: string }) => error.code === ErrorCodes.InvalidParams && /go to a file/.test(error.message));
});

test('alma-sis.newFileFromUser answers the template of the user at the position, from the open buffer', async () => {
  const path = feed('open.xml', 'valid/users-v2.xml');
  const uri = pathToFileURL(path).href;
  // The buffer, not the file on disk: an edit not saved is in the template.
  const text = readFileSync(path, 'utf8').replace('wang.xiaoming', 'wang.unsaved');
  await client.open(uri, text);
  const line = text.split('\n').findIndex((l) => l.includes('wang.unsaved'));
  const result = await run('alma-sis.newFileFromUser', { uri, position: { line, character: 10 }, values: 'keep' });
  const offset = text.split('\n').slice(0, line).join('\n').length + 11;
  assert.equal(result.text, userTemplate(text, offset, 'keep').text);
  assert.match(result.text, /wang\.unsaved/);
  // The primary id names the new file, also when the values are blanked.
  assert.equal(result.primaryId, 'wang.unsaved');
  const blank = await run('alma-sis.newFileFromUser', { uri, position: { line, character: 10 }, values: 'blank' });
  assert.equal(blank.primaryId, 'wang.unsaved');
  assert.doesNotMatch(blank.text, /wang\.unsaved/);
  await assert.rejects(run('alma-sis.newFileFromUser', { uri, position: { line: 0, character: 0 }, values: 'keep' }), /not inside a <user>/);
  await assert.rejects(run('alma-sis.newFileFromUser', { uri: pathToFileURL(join(work, 'closed.xml')).href, position: { line: 0, character: 0 }, values: 'keep' }), /is not open/);
  await client.close(uri);
});

test('alma-sis.convertToV2 answers the engine\'s v2 text of the open v1 buffer and what had no v2 home; a v2 buffer is refused', async () => {
  const path = feed('old.xml', 'valid/users-v1.xml');
  const uri = pathToFileURL(path).href;
  // The buffer, not the file on disk: an edit not saved is converted.
  const text = readFileSync(path, 'utf8').replace('t.ngata', 't.unsaved');
  await client.open(uri, text);
  const result = await run('alma-sis.convertToV2', { uri });
  const expected = convertV1ToV2Text(text);
  assert.equal(result.text, expected.text);
  assert.match(result.text, /<primary_id>t\.unsaved<\/primary_id>/);
  assert.equal(result.users, 2);
  assert.equal(result.changedCount, expected.changedCount);
  assert.equal(result.noHomeCount, 4);
  assert.deepEqual(result.noHome, expected.noHome);
  assert.deepEqual(result.noHomeByPath, expected.noHomeByPath);
  await client.close(uri);

  const v2 = feed('new.xml', 'valid/users-v2.xml');
  await client.open(pathToFileURL(v2).href, readFileSync(v2, 'utf8'));
  await assert.rejects(run('alma-sis.convertToV2', { uri: pathToFileURL(v2).href }), /^Error: this file cannot be converted: 2:2: its root is <users>: it is User XSD v2 already/);
  await client.close(pathToFileURL(v2).href);
  await assert.rejects(run('alma-sis.convertToV2', { uri: pathToFileURL(join(work, 'closed.xml')).href }), /is not open: open the User XSD v1 file first/);
});

test('a command the server does not have, or arguments of the wrong shape, are answered with InvalidParams', async () => {
  const invalid = (error: { code?: number }) => error.code === ErrorCodes.InvalidParams;
  await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.nothing', arguments: [{}] }), invalid);
  await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.createZip', arguments: [] }), invalid);
  await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.createZip', arguments: [{ inputs: [] }] }), invalid);
  await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.dryRun', arguments: [{ input: 'https://example.org/feed.xml', baseline: 'x' }] }), invalid);
  await assert.rejects(client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.upload', arguments: [{ zip: 'x.zip', target: 'elsewhere' }] }), invalid);
});

const sshSkip = sshServerMissing();

test('alma-sis.upload: first contact answers the fingerprint, pinHostKey pins it, the sealed password logs in, and no secret reaches the log', { skip: sshSkip, timeout: 120_000 }, async () => {
  let sshd: SshServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-upload-'));
  const own = new StdioClient();
  try {
    sshd = await startSshServer();
    const configPath = join(dir, 'conf', 'sftp.json');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(configPath, `${JSON.stringify({ profiles: [{ code: 'STUDENTS', sftp: { host: '127.0.0.1', port: sshd.port, username: SFTP_TEST_USER, directory: sshd.remoteDir, importPath: 'import', synchronizePath: 'synchronize' } }] }, null, 2)}\n`);
    const zip = join(dir, 'nightly.zip');
    writeFileSync(zip, Buffer.alloc(4096, 7));
    const caps = await own.initialize({}, dir, { settings: { configPath: join('conf', 'sftp.json') } });
    const key = (caps.experimental as AlmaSisExperimental).almaSis.sealKey;
    const upload = (args: ServerCommands['alma-sis.upload']['args']) => own.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.upload', arguments: [args] }) as Promise<ServerCommands['alma-sis.upload']['result']>;

    const first = await upload({ zip, target: 'synchronize', password: sealSecret(SFTP_TEST_PASSWORD, key) });
    assert.equal(first.uploaded, false);
    if (first.uploaded) return;
    assert.equal(first.reason, 'host-key-unknown');
    assert.equal(first.seenFingerprint, sshd.fingerprint);
    assert.equal(first.configPath, configPath);
    const { text } = await own.connection.sendRequest(PinHostKeyRequest, { configPath, profile: 'STUDENTS', fingerprint: sshd.fingerprint, text: readFileSync(configPath, 'utf8') });
    writeFileSync(configPath, text);

    // A secret sealed to another key is refused before any login.
    const other = generateOtherKey();
    await assert.rejects(upload({ zip, target: 'synchronize', password: sealSecret(SFTP_TEST_PASSWORD, other) }), (error: { code?: number }) => error.code === ErrorCodes.InvalidParams);
    const wrong = await upload({ zip, target: 'synchronize', password: sealSecret('not-the-password', key) });
    assert.ok(!wrong.uploaded && wrong.reason === 'authentication', JSON.stringify(wrong));

    const done = await upload({ zip, target: 'synchronize', profile: 'STUDENTS', password: sealSecret(SFTP_TEST_PASSWORD, key) });
    assert.ok(done.uploaded, JSON.stringify(done));
    assert.deepEqual(readdirSync(join(sshd.localDir, 'synchronize')), ['nightly.zip']);
    assert.ok(readFileSync(join(sshd.localDir, 'synchronize', 'nightly.zip')).equals(readFileSync(zip)));
    assert.ok(!own.logMessages().some((m) => m.includes(SFTP_TEST_PASSWORD)));
  } finally {
    await own.stop();
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("alma-sis.importCodeTables writes the code tables file the workspace's profile names, and asks for what it lacks", async () => {
  const codeTables = join(work, 'etc', 'code-tables.json');
  const original = readFileSync(codeTables, 'utf8');
  const fixture = join(repoRoot(), 'test', 'fixtures', 'codeTables', 'UserGroups.json');
  try {
    const imported = await run('alma-sis.importCodeTables', { files: [pathToFileURL(fixture).href] });
    assert.ok(imported.imported, JSON.stringify(imported));
    assert.equal(imported.into, codeTables);
    assert.equal(imported.created, false);
    assert.deepEqual(imported.tables, [`userGroups: 5 codes from ${fixture} (Alma's UserGroups); replaced 6 codes: 4 added, 5 removed`]);
    assert.deepEqual(imported.notes, [`${fixture}:48:5: row[4] "05" is disabled in Alma; left out`]);
    assert.deepEqual(imported.remainingProblems, []);
    const written = JSON.parse(readFileSync(codeTables, 'utf8')) as Record<string, Array<{ code: string }>>;
    assert.deepEqual(written.userGroups.map((entry) => entry.code), ['01', '02', '03', '04', 'STUDENT']);
    assert.deepEqual(Object.keys(written), Object.keys(JSON.parse(original) as object));
    assert.deepEqual(written.countries, (JSON.parse(original) as Record<string, unknown>).countries);

    // A CSV names no table: the answer lists them, for the client to ask.
    const csv = join(work, 'genders.csv');
    writeFileSync(csv, 'code,description\r\nF,Female\r\n"X","Other, or not said"\r\n');
    const asked = await run('alma-sis.importCodeTables', { files: [csv] });
    assert.ok(!asked.imported && asked.reason === 'needs-table', JSON.stringify(asked));
    assert.deepEqual(asked.tables?.find((table) => table.name === 'genders'), { name: 'genders', almaName: 'Genders' });
    assert.deepEqual(asked.tables?.find((table) => table.name === 'campusCodes'), { name: 'campusCodes' });
    const into = join(work, 'other.codetables.json');
    const withTable = await run('alma-sis.importCodeTables', { files: [csv], table: 'genders', into: pathToFileURL(into).href });
    assert.ok(withTable.imported && withTable.created, JSON.stringify(withTable));
    assert.equal(readFileSync(into, 'utf8'), '{\n  "genders": [\n    { "code": "F", "description": "Female" },\n    { "code": "X", "description": "Other, or not said" }\n  ]\n}\n');

    // Problems are answered in full, and nothing is written.
    writeFileSync(csv, 'F,Female\n,empty\n');
    const before = readFileSync(codeTables, 'utf8');
    const refused = await run('alma-sis.importCodeTables', { files: [csv], table: 'genders' });
    assert.ok(!refused.imported && refused.reason === 'problems', JSON.stringify(refused));
    assert.deepEqual(refused.problems, [`${csv}:2: line 2: the code is empty`]);
    assert.equal(readFileSync(codeTables, 'utf8'), before);
    await assert.rejects(run('alma-sis.importCodeTables', { files: [csv], table: 'UserGrops' }), (error: { code?: number; message?: string }) => error.code === ErrorCodes.InvalidParams && /the nearest is "UserGroups"/.test(error.message ?? ''));
  } finally {
    writeFileSync(codeTables, original);
  }
});

test('alma-sis.importCodeTables answers no-target when the configuration names no code tables file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-import-'));
  const own = new StdioClient();
  try {
    writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STAFF' }] }));
    await own.initialize({}, dir, {});
    const fixture = join(repoRoot(), 'test', 'fixtures', 'codeTables', 'UserGroups.json');
    const result = (await own.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.importCodeTables', arguments: [{ files: [fixture] }] })) as ServerCommands['alma-sis.importCodeTables']['result'];
    assert.ok(!result.imported && result.reason === 'no-target', JSON.stringify(result));
    assert.equal(result.configPath, join(dir, 'alma-sis.config.json'));
    assert.match(result.message, /profile STAFF has no "codeTables" in .*: choose the file to write/);
    assert.deepEqual(readdirSync(dir), ['alma-sis.config.json']);
  } finally {
    await own.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

function generateOtherKey(): string {
  return generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}
