import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest,
  CompletionRequest,
  HoverRequest,
  DocumentSymbolRequest,
  DocumentDiagnosticRequest,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DidChangeConfigurationNotification,
  FileChangeType,
  type CodeAction,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type DocumentDiagnosticReport,
  type TextEdit,
} from 'vscode-languageserver-protocol';
import { validateText, DEFAULT_SETTINGS } from '../../server/src/engine';
import { repoRoot } from '../helpers/repoRoot';
import { StdioClient } from './stdioClient';
import { mulberry32 as seededRandom } from '../../server/src/engine/samples/sampleGenerator';
import { DocumentStatusNotification, ValidateFileOnDiskRequest, type DocumentStatusParams, type ValidateFileOnDiskResult } from '../../server/src/protocol/messages';

/*
 * The bundled server (dist/server.js, built by scripts/build.mjs) spawned with --stdio and driven
 * by an independent client over JSON-RPC. Each scenario has its own folder: the files of a folder
 * are a set, and the sample configuration applies where it is copied.
 */

const samples = join(repoRoot(), 'samples');
let work: string;
let client: StdioClient;

function folder(name: string, withConfig: boolean): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  if (withConfig) {
    copyFileSync(join(samples, 'alma-sis.config.json'), join(dir, 'alma-sis.config.json'));
    copyFileSync(join(samples, 'code-tables.json'), join(dir, 'code-tables.json'));
  }
  return dir;
}

function place(dir: string, sample: string, name = sample.split('/').pop()!): { uri: string; text: string; path: string } {
  const path = join(dir, name);
  copyFileSync(join(samples, sample), path);
  return { uri: pathToFileURL(path).href, text: readFileSync(path, 'utf8'), path };
}

/** The `expect: rule L:C-L:C` lines of a sample (1-based). */
function expectations(text: string): { rule: string; line: number; col: number }[] {
  return [...text.matchAll(/expect: ([\w-]+) (\d+):(\d+)-/g)].map((m) => ({ rule: m[1], line: Number(m[2]) - 1, col: Number(m[3]) - 1 }));
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-'));
  client = new StdioClient();
  const capabilities = await client.initialize({}, work);
  assert.ok(capabilities.textDocumentSync, 'the server syncs documents');
});

after(async () => {
  await client.stop();
  rmSync(work, { recursive: true, force: true });
});

test('common mistakes: diagnostics with rule ids, documentation links and related information, at the lines the sample expects', async () => {
  const doc = place(folder('mistakes', true), 'invalid/common-mistakes.xml');
  await client.open(doc.uri, doc.text);
  const diagnostics = await client.diagnostics(doc.uri);
  for (const want of expectations(doc.text)) {
    assert.ok(
      diagnostics.some((d) => d.code === want.rule && d.range.start.line === want.line && d.range.start.character === want.col),
      `${want.rule} at ${want.line + 1}:${want.col + 1} in ${JSON.stringify(diagnostics.map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1}`))}`,
    );
  }
  for (const d of diagnostics) {
    assert.equal(d.source, 'alma-sis');
    // The rule's own page beside the bundled server (dist/../docs/rules), as a file: URI.
    assert.equal(d.codeDescription?.href, pathToFileURL(join(repoRoot(), 'docs', 'rules', `${d.code}.md`)).href);
  }
  const duplicate = diagnostics.find((d) => d.code === 'duplicate-identifier');
  assert.equal(duplicate?.relatedInformation?.[0].location.uri, doc.uri, 'the first holder is in the same file');
  const status = await client.waitFor(() => client.notifications.find((n) => n.method === DocumentStatusNotification.method && (n.params as DocumentStatusParams).uri === doc.uri), 5000);
  assert.ok(status, 'a document status notification follows the validation');
  const params = status.params as DocumentStatusParams;
  assert.equal(params.schemaVersion, 2);
  assert.equal(params.users, 5);
  assert.ok(params.errors > 0);
});

test('a quick fix for Preferred="true" applied as an edit removes the diagnostic', async () => {
  const doc = place(folder('quickfix', false), 'invalid/attribute-case.xml');
  await client.open(doc.uri, doc.text);
  const diagnostics = await client.diagnostics(doc.uri);
  const preferred = diagnostics.find((d) => d.code === 'attribute-case' && d.range.start.line === 16 && d.range.start.character === 17);
  assert.ok(preferred, 'the attribute-case diagnostic on Preferred');
  const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: doc.uri },
    range: preferred.range,
    context: { diagnostics: [preferred], only: ['quickfix'] },
  })) as CodeAction[];
  const fix = actions.find((a) => a.edit?.changes?.[doc.uri] || a.edit?.documentChanges);
  assert.ok(fix, `a quick fix with an edit among ${JSON.stringify(actions.map((a) => a.title))}`);
  const edits: TextEdit[] = fix.edit!.changes?.[doc.uri]
    ?? (fix.edit!.documentChanges as { edits: TextEdit[] }[]).flatMap((c) => c.edits);
  const before = TextDocument.create(doc.uri, 'xml', 1, doc.text);
  const fixed = TextDocument.applyEdits(before, edits);
  assert.match(fixed.split('\n')[16], /preferred="true"/);
  const from = client.published.length;
  const version = await client.change(doc.uri, edits.map((e) => ({ range: e.range, text: e.newText })));
  const after = await client.diagnostics(doc.uri, (p) => p.version === version, 20_000, from);
  assert.ok(!after.some((d) => d.code === 'attribute-case' && d.range.start.line === 16 && d.range.start.character === 17), 'the Preferred diagnostic is gone');
  assert.ok(after.some((d) => d.code === 'attribute-case'), 'Segment_Type is still reported');
});

test('completion offers elements and coded values; hover explains a field; the outline lists users by primary_id', async () => {
  const dir = folder('features', true);
  const doc = place(dir, 'valid/users-v2.xml');
  await client.open(doc.uri, doc.text);
  await client.diagnostics(doc.uri);
  const lines = doc.text.split('\n');

  const scratchText = '<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <\n    <status></status>\n  </user>\n</users>\n';
  const scratch = pathToFileURL(join(dir, 'scratch.xml')).href;
  await client.open(scratch, scratchText);
  const elements = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: scratch }, position: { line: 3, character: 5 } })) as CompletionList;
  assert.ok(elements.items.some((i) => i.label === 'primary_id' || String(i.label).includes('primary_id')), 'primary_id is offered');
  const values = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: scratch }, position: { line: 4, character: 12 } })) as CompletionList;
  assert.ok(values.items.some((i) => String(i.label) === 'ACTIVE'), `ACTIVE among ${JSON.stringify(values.items.map((i) => i.label))}`);

  const idLine = lines.findIndex((l) => l.includes('<primary_id>'));
  const hover = (await client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri: doc.uri },
    position: { line: idLine, character: lines[idLine].indexOf('primary_id') + 2 },
  })) as Hover | null;
  assert.ok(hover, 'a hover on primary_id');
  assert.match(JSON.stringify(hover.contents), /primary/i);

  const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: doc.uri } })) as DocumentSymbol[];
  const ids = [...doc.text.matchAll(/<primary_id>([^<]+)<\/primary_id>/g)].map((m) => m[1]);
  assert.deepEqual(symbols.map((s) => s.name), ids);
});

test('a clean file has no error or warning', async () => {
  const doc = place(folder('clean', true), 'valid/users-v2.xml');
  await client.open(doc.uri, doc.text);
  const diagnostics = await client.diagnostics(doc.uri);
  const loud = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
  assert.deepEqual(loud, []);
});

test('an XML file that is not an Alma user file gets nothing', async () => {
  const dir = folder('other', false);
  const other = pathToFileURL(join(dir, 'pom.xml')).href;
  await client.open(other, '<?xml version="1.0"?>\n<project><modelVersion>4.0.0</modelVersion><oops></project>\n');
  // A document opened after it is validated after it: once that one is published, the first had its turn.
  const alma = place(dir, 'valid/users-v2.xml');
  await client.open(alma.uri, alma.text);
  await client.diagnostics(alma.uri);
  assert.equal(client.published.filter((p) => p.uri === other).length, 0);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: other }, position: { line: 1, character: 3 } });
  assert.equal(hover, null);
  const symbols = await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: other } });
  assert.equal(symbols, null);
});

test('a sequence of edits ends with the diagnostics of a fresh validation of the final text', async () => {
  const doc = place(folder('edits', false), 'valid/users-v2.xml');
  await client.open(doc.uri, doc.text);
  await client.diagnostics(doc.uri);
  let text = TextDocument.create(doc.uri, 'xml', 1, doc.text);
  const ids = [...doc.text.matchAll(/<primary_id>([^<]+)<\/primary_id>/g)];
  const edits = [
    // the second user takes the first user's primary_id (a duplicate appears)...
    { at: ids[1].index! + '<primary_id>'.length, remove: ids[1][1].length, insert: ids[0][1] },
    // ...a line is added in the first user...
    { at: ids[0].index!, remove: 0, insert: '<!-- a note -->\n    ' },
    // ...and a value is broken.
    { at: doc.text.indexOf('</status>'), remove: 0, insert: 'X' },
  ];
  let version = 1;
  let offsetShift = 0;
  for (const e of edits) {
    const at = e.at + offsetShift;
    const range = { start: text.positionAt(at), end: text.positionAt(at + e.remove) };
    version = await client.change(doc.uri, [{ range, text: e.insert }]);
    text = TextDocument.update(text, [{ range, text: e.insert }], version);
    if (e.at <= edits[edits.length - 1].at) offsetShift += e.insert.length - e.remove;
  }
  const published = await client.diagnostics(doc.uri, (p) => p.version === version);
  const want = validateText(text.getText(), 'users-v2.xml', DEFAULT_SETTINGS).findings;
  assert.deepEqual(
    published.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character} ${d.message}`),
    want.map((f) => `${f.rule} ${f.range.start.line}:${f.range.start.character} ${f.message}`),
  );
  assert.ok(published.some((d) => d.code === 'duplicate-identifier'));
});

test('the files of a folder are a set: a duplicate of an earlier file shows on the later one, pointing at it', async () => {
  const dir = folder('set', false);
  const user = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_group>STUDENT</user_group>\n  </user>\n</users>\n`;
  writeFileSync(join(dir, 'a.xml'), user('shared.id'));
  const later = join(dir, 'b.xml');
  writeFileSync(later, user('shared.id'));
  const uri = pathToFileURL(later).href;
  await client.open(uri, readFileSync(later, 'utf8'));
  const diagnostics = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'duplicate-identifier'));
  const duplicate = diagnostics.find((d) => d.code === 'duplicate-identifier')!;
  assert.equal(duplicate.relatedInformation?.[0].location.uri, pathToFileURL(join(dir, 'a.xml')).href);
  assert.match(String(duplicate.message), /a\.xml/);
});

test('an Alma export beside the feed is not a file of its set: no problem of the feed comes from it', async () => {
  const dir = folder('export-beside', false);
  // Named so that it sorts first: as an earlier file it would make every returning user a duplicate.
  copyFileSync(join(samples, 'dry-run', 'export.xml'), join(dir, 'alma-export.xml'));
  const feed = place(dir, 'dry-run/feed.xml');
  // A later file that repeats a feed user: its duplicate shows once the folder is indexed.
  const later = join(dir, 'z-later.xml');
  writeFileSync(later, feed.text.slice(0, feed.text.indexOf('</user>') + '</user>'.length) + '\n</users>\n');
  const laterUri = pathToFileURL(later).href;
  await client.open(feed.uri, feed.text);
  await client.open(laterUri, readFileSync(later, 'utf8'));
  const laterDiagnostics = await client.diagnostics(laterUri, (p) => p.diagnostics.some((d) => d.code === 'duplicate-identifier'));
  assert.ok(laterDiagnostics.filter((d) => d.code === 'duplicate-identifier').every((d) => d.relatedInformation?.[0].location.uri === feed.uri));
  const diagnostics = await client.diagnostics(feed.uri);
  assert.deepEqual(diagnostics.filter((d) => JSON.stringify(d).includes('alma-export')), []);
  const alone = validateText(feed.text, feed.path, DEFAULT_SETTINGS);
  assert.equal(diagnostics.filter((d) => d.code === 'duplicate-identifier').length, alone.findings.filter((f) => f.rule === 'duplicate-identifier').length);
  // The export itself, opened, is validated alone too.
  const exported = pathToFileURL(join(dir, 'alma-export.xml')).href;
  await client.open(exported, readFileSync(join(dir, 'alma-export.xml'), 'utf8'));
  assert.ok(!(await client.diagnostics(exported)).some((d) => d.code === 'duplicate-identifier'));
  await client.close(exported);
  await client.close(laterUri);
  await client.close(feed.uri);
});

test('a profile\'s feed decides the set and its order; the duplicate and the status name the feed', async () => {
  const dir = folder('feed-order', false);
  writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', feed: ['b-first.xml', 'a-second.xml'] }] }));
  const user = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_group>STUDENT</user_group>\n  </user>\n</users>\n`;
  for (const name of ['a-second.xml', 'b-first.xml', 'c-not-in-feed.xml']) writeFileSync(join(dir, name), user('shared.id'));
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  await client.open(uri('a-second.xml'), user('shared.id'));
  // a-second.xml sorts first but the feed loads b-first.xml before it.
  const second = await client.diagnostics(uri('a-second.xml'), (p) => p.diagnostics.some((d) => d.code === 'duplicate-identifier'));
  const duplicate = second.find((d) => d.code === 'duplicate-identifier')!;
  assert.equal(duplicate.relatedInformation?.[0].location.uri, uri('b-first.xml'));
  assert.match(String(duplicate.message), /b-first\.xml, earlier in the STUDENTS feed/);
  const status = await client.waitFor(() => [...client.notifications].reverse().find((n) => n.method === DocumentStatusNotification.method && (n.params as DocumentStatusParams).uri === uri('a-second.xml') && (n.params as DocumentStatusParams).set !== undefined), 10_000);
  assert.deepEqual((status!.params as DocumentStatusParams).set, { name: 'the STUDENTS feed', position: 2, files: 2 });
  // A file beside the feed that the feed does not name is alone: it takes nothing from the feed.
  await client.open(uri('c-not-in-feed.xml'), user('shared.id'));
  assert.ok(!(await client.diagnostics(uri('c-not-in-feed.xml'))).some((d) => d.code === 'duplicate-identifier'));
  await client.open(uri('b-first.xml'), user('shared.id'));
  assert.ok(!(await client.diagnostics(uri('b-first.xml'))).some((d) => d.code === 'duplicate-identifier'));
  for (const name of ['a-second.xml', 'b-first.xml', 'c-not-in-feed.xml']) await client.close(uri(name));
});

test('Validate File on Disk streams a file that is not open and publishes its diagnostics', async () => {
  const doc = place(folder('disk', false), 'invalid/common-mistakes.xml');
  const result = (await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri: doc.uri })) as ValidateFileOnDiskResult;
  assert.equal(result.users, 5);
  assert.ok(result.errors > 0);
  const diagnostics = await client.diagnostics(doc.uri);
  assert.ok(diagnostics.some((d) => d.code === 'duplicate-identifier'));
});

test('a broken configuration shows its problems in the configuration file, and the users file is still validated', async () => {
  const dir = folder('badconfig', false);
  const configPath = join(dir, 'alma-sis.config.json');
  writeFileSync(configPath, '{\n  "profiles": [\n    { "code": "X", "xsdVersion": 7 }\n  ],\n  "bogus": true\n}\n');
  const doc = place(dir, 'invalid/attribute-case.xml');
  await client.open(doc.uri, doc.text);
  const configDiagnostics = await client.diagnostics(pathToFileURL(configPath).href);
  assert.ok(configDiagnostics.length > 0);
  assert.ok(configDiagnostics.every((d) => d.range.start.line >= 0 && d.range.start.line < 6));
  const diagnostics = await client.diagnostics(doc.uri);
  assert.ok(diagnostics.some((d) => d.code === 'attribute-case'));
});

test('alma-sis.maxProblems caps a document\'s diagnostics, errors first, with one that counts the rest', async () => {
  const capped = new StdioClient();
  try {
    await capped.initialize({}, work, { settings: { maxProblems: 2 } });
    const doc = place(folder('capped', false), 'invalid/common-mistakes.xml');
    await capped.open(doc.uri, doc.text);
    const diagnostics = await capped.diagnostics(doc.uri);
    assert.equal(diagnostics.length, 3);
    assert.equal(diagnostics[0].severity, DiagnosticSeverity.Error);
    assert.equal(diagnostics[1].severity, DiagnosticSeverity.Error);
    assert.match(String(diagnostics[2].message), /more problems are not shown/);
  } finally {
    await capped.stop();
  }
});

test('a client that pulls diagnostics gets them from textDocument/diagnostic', async () => {
  const pulling = new StdioClient();
  try {
    const capabilities = await pulling.initialize({ textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true }, configuration: true } }, work);
    assert.ok(capabilities.diagnosticProvider, 'the server offers pull diagnostics');
    const doc = place(folder('pull', false), 'invalid/attribute-case.xml');
    await pulling.open(doc.uri, doc.text);
    const report = (await pulling.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: doc.uri } })) as DocumentDiagnosticReport;
    assert.equal(report.kind, 'full');
    const items = (report as { items: Diagnostic[] }).items;
    assert.ok(items.some((d) => d.code === 'attribute-case'));
    assert.equal(pulling.published.filter((p) => p.uri === doc.uri).length, 0, 'nothing pushed to a pulling client');
    // Validated again without a pull (a rule turned off in the settings): the client is asked to
    // pull again, and the next pull has the new diagnostics.
    // A refresh asked for by the validation of the open (it may come after the first pull) says
    // nothing of the new settings: each refresh is followed by a pull, until one has them.
    const refreshes = (): number => pulling.requests.filter((r) => r === 'workspace/diagnostic/refresh').length;
    let seen = refreshes();
    pulling.configuration = { rules: { 'attribute-case': 'off' } };
    await pulling.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { 'alma-sis': pulling.configuration } });
    let again: Diagnostic[] = items;
    const deadline = Date.now() + 10_000;
    while (again.some((d) => d.code === 'attribute-case') && Date.now() < deadline) {
      const refreshed = await pulling.waitFor(() => (refreshes() > seen ? true : undefined), Math.max(1, deadline - Date.now()));
      assert.ok(refreshed, 'workspace/diagnostic/refresh after the settings changed');
      seen = refreshes();
      again = ((await pulling.connection.sendRequest(DocumentDiagnosticRequest.type, { textDocument: { uri: doc.uri } })) as { items: Diagnostic[] }).items;
    }
    assert.ok(!again.some((d) => d.code === 'attribute-case'), 'the pull after the refresh has the new settings');
  } finally {
    await pulling.stop();
  }
});

test('the server survives nonsense: a bad request is answered and it goes on serving', async () => {
  const bad = await client.connection.sendRequest(ValidateFileOnDiskRequest.method, { uri: 42 }).then(() => 'answered', (e: Error) => `error: ${e.message}`);
  assert.match(bad, /error/);
  const doc = place(folder('after-nonsense', false), 'invalid/attribute-case.xml');
  await client.open(doc.uri, '\u0000\u0001<users><user>');
  await client.change(doc.uri, [{ text: doc.text }]);
  const diagnostics = await client.diagnostics(doc.uri, (p) => p.diagnostics.some((d) => d.code === 'attribute-case'));
  assert.ok(diagnostics.length > 0);
});

test('Validate File on Disk reports work-done progress to a client that supports it', async () => {
  const withProgress = new StdioClient();
  try {
    await withProgress.initialize({ window: { workDoneProgress: true } }, work);
    const doc = place(folder('progress', false), 'invalid/common-mistakes.xml');
    const result = (await withProgress.connection.sendRequest(ValidateFileOnDiskRequest, { uri: doc.uri })) as ValidateFileOnDiskResult;
    assert.equal(result.users, 5);
    const kinds = await withProgress.waitFor(() => {
      const seen = withProgress.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string } }).value.kind);
      return seen.includes('end') ? seen : undefined;
    }, 5000);
    assert.ok(kinds, 'progress notifications');
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds.at(-1), 'end');
  } finally {
    await withProgress.stop();
  }
});

test('random edits, garbage included, never stop the server, and the last diagnostics are the full validation\'s', async () => {
  const doc = place(folder('random', false), 'valid/users-v2.xml');
  await client.open(doc.uri, doc.text);
  await client.diagnostics(doc.uri);
  let text = TextDocument.create(doc.uri, 'xml', 1, doc.text);
  const random = seededRandom(7);
  const snippets = ['x', '\n', '<', '</user>', '<user>', '&', '\u0000', '"', '<primary_id>amelie.dubois</primary_id>', '😀', ']]>', '<!--'];
  const protectedHead = doc.text.indexOf('<users>') + '<users>'.length;
  let version = 1;
  for (let step = 0; step < 40; step++) {
    const body = text.getText().length - protectedHead - 10;
    const from = protectedHead + Math.floor(random() * body);
    const to = Math.min(from + Math.floor(random() * 6), protectedHead + body);
    const insert = snippets[Math.floor(random() * snippets.length)];
    const range = { start: text.positionAt(from), end: text.positionAt(to) };
    version = await client.change(doc.uri, [{ range, text: insert }]);
    text = TextDocument.update(text, [{ range, text: insert }], version);
  }
  const published = await client.diagnostics(doc.uri, (p) => p.version === version);
  const want = validateText(text.getText(), 'users-v2.xml', DEFAULT_SETTINGS).findings;
  assert.deepEqual(
    published.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character} ${d.message}`),
    want.map((f) => `${f.rule} ${f.range.start.line}:${f.range.start.character} ${f.message}`),
  );
  assert.equal(client.process.exitCode, null, 'the server is still running');
});

test('a change to an earlier file of the set, in the editor or on disk, validates the later open files again', async () => {
  const dir = folder('dependents', false);
  const user = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_group>STUDENT</user_group>\n  </user>\n</users>\n`;
  const a = join(dir, 'a.xml');
  const b = join(dir, 'b.xml');
  writeFileSync(a, user('shared.id'));
  writeFileSync(b, user('shared.id'));
  const aUri = pathToFileURL(a).href;
  const bUri = pathToFileURL(b).href;
  const hasDuplicate = (p: { diagnostics: Diagnostic[] }) => p.diagnostics.some((d) => d.code === 'duplicate-identifier');
  await client.open(bUri, readFileSync(b, 'utf8'));
  await client.diagnostics(bUri, hasDuplicate);

  // In the editor: a.xml opened and its primary_id changed; b.xml loses its duplicate.
  const aText = readFileSync(a, 'utf8');
  await client.open(aUri, aText);
  await client.diagnostics(aUri);
  let from = client.published.length;
  const at = TextDocument.create(aUri, 'xml', 1, aText);
  const start = aText.indexOf('shared.id');
  await client.change(aUri, [{ range: { start: at.positionAt(start), end: at.positionAt(start + 6) }, text: 'other' }]);
  await client.diagnostics(bUri, (p) => !hasDuplicate(p), 20_000, from);

  // Closed, with yet another id on disk: the set reads a.xml from disk again (b.xml is validated
  // again, still without a duplicate; with the buffer's own text on disk nothing would change for
  // b.xml, and nothing would be published)...
  writeFileSync(a, user('third.id'));
  from = client.published.length;
  await client.close(aUri);
  await client.diagnostics(bUri, (p) => !hasDuplicate(p), 20_000, from);
  // ...then a.xml changes on disk and the client says so: b.xml has the duplicate again.
  writeFileSync(a, user('shared.id'));
  from = client.published.length;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: aUri, type: FileChangeType.Changed }] });
  await client.diagnostics(bUri, hasDuplicate, 20_000, from);
});

test('settings read with workspace/configuration apply, and a changed setting validates again', async () => {
  const configured = new StdioClient();
  try {
    configured.configuration = { maxProblems: 1, rules: { 'attribute-case': 'warning' } };
    await configured.initialize({ workspace: { configuration: true } }, work);
    const doc = place(folder('configured', false), 'invalid/attribute-case.xml');
    await configured.open(doc.uri, doc.text);
    const first = await configured.diagnostics(doc.uri);
    assert.equal(first.length, 2, 'one diagnostic and the one that counts the rest');
    assert.equal(first[0].severity, DiagnosticSeverity.Warning, 'the rule severity from the settings');
    configured.configuration = { rules: { 'attribute-case': 'off' } };
    const from = configured.published.length;
    await configured.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { 'alma-sis': configured.configuration } });
    const after = await configured.diagnostics(doc.uri, () => true, 20_000, from);
    assert.ok(!after.some((d) => d.code === 'attribute-case'));
  } finally {
    await configured.stop();
  }
});

test('a configuration file changed on disk applies to the open files; fixed, its problems are cleared', async () => {
  const dir = folder('configchange', false);
  const configPath = join(dir, 'alma-sis.config.json');
  const configUri = pathToFileURL(configPath).href;
  writeFileSync(configPath, '{ "profiles": [ { "code": "A" } ], "rules": { "attribute-case": "info" } }\n');
  const doc = place(dir, 'invalid/attribute-case.xml');
  await client.open(doc.uri, doc.text);
  const first = await client.diagnostics(doc.uri);
  assert.ok(first.filter((d) => d.code === 'attribute-case').every((d) => d.severity === DiagnosticSeverity.Information));

  writeFileSync(configPath, '{ "profiles": [ { "code": "A" } ], "rules": { "attribute-case": "off" }, "oops": 1 }\n');
  let from = client.published.length;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: configUri, type: FileChangeType.Changed }] });
  const problems = await client.diagnostics(configUri, (p) => p.diagnostics.length > 0, 20_000, from);
  assert.ok(problems.length > 0, 'the broken configuration shows its problems');

  writeFileSync(configPath, '{ "profiles": [ { "code": "A" } ], "rules": { "attribute-case": "off" } }\n');
  from = client.published.length;
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: configUri, type: FileChangeType.Changed }] });
  await client.diagnostics(configUri, (p) => p.diagnostics.length === 0, 20_000, from);
  const after = await client.diagnostics(doc.uri, (p) => !p.diagnostics.some((d) => d.code === 'attribute-case'), 20_000, from);
  assert.ok(after.every((d) => d.code !== 'attribute-case'));
});

test('Validate File on Disk on a file open in the editor answers its summary and leaves the buffer\'s diagnostics alone', async () => {
  const doc = place(folder('disk-open', false), 'invalid/attribute-case.xml');
  // The buffer has fixed what the file on disk still has.
  await client.open(doc.uri, doc.text.replace('Preferred="true"', 'preferred="true"'));
  await client.diagnostics(doc.uri);
  const before = client.published.length;
  const result = (await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri: doc.uri })) as ValidateFileOnDiskResult;
  assert.equal(result.users, 1);
  assert.equal(result.errors, 2, 'the summary is the file on disk');
  // A publication would have been sent before the answer (one ordered stream).
  const preferredOnDisk = (d: Diagnostic) => d.code === 'attribute-case' && d.range.start.line === 16 && d.range.start.character === 17;
  assert.ok(client.published.slice(before).filter((p) => p.uri === doc.uri).every((p) => !p.diagnostics.some(preferredOnDisk)));
});

/** A one-user file; `barcode` adds a BARCODE identifier. */
function oneUser(primaryId: string, barcode?: string): string {
  const identifiers = barcode === undefined ? '' : `    <user_identifiers>\n      <user_identifier>\n        <id_type>BARCODE</id_type>\n        <value>${barcode}</value>\n      </user_identifier>\n    </user_identifiers>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n  <user>\n    <primary_id>${primaryId}</primary_id>\n    <first_name>A</first_name>\n    <last_name>B</last_name>\n    <user_group>STUDENT</user_group>\n${identifiers}  </user>\n</users>\n`;
}

/** What `alma-sis validate --format json .` run in `dir` reports for `name`, as the fields a diagnostic carries. */
function cliDiagnostics(dir: string, name: string): unknown[] {
  let report: string;
  try {
    report = execFileSync(process.execPath, [join(repoRoot(), 'dist', 'cli.js'), 'validate', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    // Exit code 1: errors found; the report is on stdout all the same.
    report = String((error as { stdout?: string }).stdout ?? '');
  }
  const file = (JSON.parse(report) as { files: { path: string; diagnostics: { rule: string; message: string; range: unknown; related?: { path: string; range: unknown; message: string }[] }[] }[] }).files.find((f) => f.path === name)!;
  return file.diagnostics.map((d) => ({
    code: d.rule,
    message: d.message,
    range: d.range,
    related: (d.related ?? []).map((r) => ({ uri: pathToFileURL(join(dir, r.path)).href, range: r.range, message: r.message })),
  }));
}

function asCliSees(diagnostics: Diagnostic[]): unknown[] {
  return diagnostics.map((d) => ({
    code: d.code,
    message: d.message,
    range: d.range,
    related: (d.relatedInformation ?? []).map((r) => ({ uri: r.location.uri, range: r.location.range, message: r.message })),
  }));
}

test('Validate File on Disk validates a file as the later file of its folder: a duplicate of an earlier file points into it, as alma-sis validate <folder> says', async () => {
  const dir = folder('disk-set', false);
  writeFileSync(join(dir, 'a.xml'), oneUser('shared.id', 'B-1'));
  const later = join(dir, 'b.xml');
  writeFileSync(later, oneUser('shared.id', 'B-1'));
  // After it in load order: it takes nothing from b.xml.
  writeFileSync(join(dir, 'c.xml'), oneUser('b.only'));
  const uri = pathToFileURL(later).href;
  const from = client.published.length;
  const result = (await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri })) as ValidateFileOnDiskResult;
  assert.equal(result.users, 1);
  assert.equal(result.schemaVersion, 2);
  const diagnostics = await client.diagnostics(uri, () => true, 20_000, from);
  const duplicates = diagnostics.filter((d) => d.code === 'duplicate-identifier');
  assert.equal(duplicates.length, 2, 'the primary_id and the barcode');
  for (const duplicate of duplicates) assert.equal(duplicate.relatedInformation?.[0].location.uri, pathToFileURL(join(dir, 'a.xml')).href);
  assert.deepEqual(asCliSees(diagnostics), cliDiagnostics(dir, 'b.xml'));
  assert.equal(result.errors, diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length);
});

test('Validate File on Disk takes an earlier file of its folder as the editor holds it, when it is open', async () => {
  const dir = folder('disk-set-open', false);
  const earlier = join(dir, 'a.xml');
  writeFileSync(earlier, oneUser('shared.id'));
  const later = join(dir, 'b.xml');
  writeFileSync(later, oneUser('shared.id'));
  const earlierUri = pathToFileURL(earlier).href;
  // The buffer no longer holds the identifier the file on disk still holds.
  await client.open(earlierUri, oneUser('renamed.id'));
  await client.diagnostics(earlierUri);
  const uri = pathToFileURL(later).href;
  const from = client.published.length;
  await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri });
  const diagnostics = await client.diagnostics(uri, () => true, 20_000, from);
  assert.ok(!diagnostics.some((d) => d.code === 'duplicate-identifier'), JSON.stringify(diagnostics));
  await client.close(earlierUri);
});

test('Validate File on Disk with onlyAlma leaves an XML file that is not an Alma user file alone', async () => {
  const dir = folder('disk-not-alma', false);
  const path = join(dir, 'pom.xml');
  writeFileSync(path, '<?xml version="1.0"?>\n<project><modelVersion>4.0.0</modelVersion></project>\n');
  const uri = pathToFileURL(path).href;
  const result = (await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri, onlyAlma: true })) as ValidateFileOnDiskResult;
  assert.equal(result.notAlma, true);
  assert.equal(result.schemaVersion, null);
  // The answer follows any publication on one ordered stream: none came.
  assert.ok(!client.published.some((p) => p.uri === uri));
});

test('Validate File on Disk follows the profile\'s feed as open files do: its order, not the folder\'s', async () => {
  const dir = folder('disk-feed-order', false);
  writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ profiles: [{ code: 'STUDENTS', feed: ['b-first.xml', 'a-second.xml'] }] }));
  for (const name of ['a-second.xml', 'b-first.xml']) writeFileSync(join(dir, name), oneUser('shared.id'));
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  // a-second.xml sorts first, but the feed loads b-first.xml before it.
  let from = client.published.length;
  await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri: uri('a-second.xml') });
  const second = await client.diagnostics(uri('a-second.xml'), () => true, 20_000, from);
  const duplicate = second.find((d) => d.code === 'duplicate-identifier');
  assert.equal(duplicate?.relatedInformation?.[0].location.uri, uri('b-first.xml'), JSON.stringify(second));
  assert.match(String(duplicate?.message), /b-first\.xml, earlier in the STUDENTS feed/);
  from = client.published.length;
  await client.connection.sendRequest(ValidateFileOnDiskRequest, { uri: uri('b-first.xml') });
  const first = await client.diagnostics(uri('b-first.xml'), () => true, 20_000, from);
  assert.ok(!first.some((d) => d.code === 'duplicate-identifier'), JSON.stringify(first));
});
