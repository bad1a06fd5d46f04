import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CodeActionRequest,
  FoldingRangeRequest,
  HoverRequest,
  type CodeAction,
  type FoldingRange,
  type Hover,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { repoRoot } from '../helpers/repoRoot';
import { renderedText } from '../helpers/renderedMarkdown';
import { StdioClient } from './stdioClient';

/*
 * The bundled server over stdio, for what the editor shows of a user file: the rule page each
 * diagnostic links to, the hover's Markdown naming its element, a folded user's text (only for a
 * client that declares collapsedText), the date fix and source.fixAll's title.
 */

const work = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-polish-'));
const clients: StdioClient[] = [];

after(async () => {
  for (const client of clients) await client.stop();
  rmSync(work, { recursive: true, force: true });
});

async function started(capabilities: Parameters<StdioClient['initialize']>[0]): Promise<StdioClient> {
  const client = new StdioClient();
  clients.push(client);
  await client.initialize(capabilities, work);
  return client;
}

function placed(name: string, text: string): { uri: string; text: string } {
  const path = join(work, name);
  writeFileSync(path, text);
  return { uri: pathToFileURL(path).href, text };
}

const USERS = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v2.xml'), 'utf8');

test('each diagnostic links to its rule\'s page, a file beside the server', async () => {
  const client = await started({});
  const doc = placed('mistakes.xml', readFileSync(join(repoRoot(), 'samples', 'invalid', 'common-mistakes.xml'), 'utf8'));
  await client.open(doc.uri, doc.text);
  const diagnostics = (await client.diagnostics(doc.uri)).filter((d) => typeof d.code === 'string');
  assert.ok(diagnostics.length > 5);
  for (const d of diagnostics) {
    const href = d.codeDescription?.href ?? '';
    assert.ok(href.endsWith(`/docs/rules/${d.code}.md`), `${d.code}: ${href}`);
    assert.ok(existsSync(fileURLToPath(href)), href);
  }
});

test('a hover\'s Markdown names the element as the editor renders it', async () => {
  const client = await started({ textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } } });
  const doc = placed('hover.xml', USERS);
  await client.open(doc.uri, doc.text);
  const line = doc.text.split('\n').findIndex((l) => l.includes('<user_group'));
  const character = doc.text.split('\n')[line].indexOf('user_group') + 2;
  const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc.uri }, position: { line, character } })) as Hover;
  const markdown = (hover.contents as MarkupContent).value;
  assert.equal((hover.contents as MarkupContent).kind, 'markdown');
  assert.match(renderedText(markdown), /^<user_group> · code/);
});

test('folded users carry their primary_id for a client that shows collapsedText, and nothing for one that does not', async () => {
  const doc = placed('folds.xml', USERS);
  const showing = await started({ textDocument: { foldingRange: { foldingRange: { collapsedText: true } } } });
  await showing.open(doc.uri, doc.text);
  const folds = (await showing.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: doc.uri } })) as FoldingRange[];
  const users = folds.filter((f) => f.collapsedText !== undefined);
  assert.equal(users.length, 4);
  assert.equal(users[0].collapsedText, '<user> amelie.dubois (Amélie Dubois-Lefèvre)');
  assert.equal(doc.text.split('\n')[users[0].startLine].trim(), '<user>');

  const plain = await started({});
  await plain.open(doc.uri, doc.text);
  const plainFolds = (await plain.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: doc.uri } })) as FoldingRange[];
  assert.deepEqual(plainFolds.map((f) => [f.startLine, f.endLine]), folds.map((f) => [f.startLine, f.endLine]));
  assert.ok(plainFolds.every((f) => f.collapsedText === undefined));
});

test('a date that does not exist says so; a compact date\'s fix writes what the message says; Fix All names what it fixes', async () => {
  const client = await started({});
  const text = '<users>\n  <user>\n    <Primary_ID>a1</Primary_ID>\n    <expiry_date>2031-02-30</expiry_date>\n    <purge_date>20321231</purge_date>\n  </user>\n</users>\n';
  const doc = placed('dates.xml', text);
  await client.open(doc.uri, doc.text);
  const diagnostics = await client.diagnostics(doc.uri);
  const dates = diagnostics.filter((d) => d.code === 'invalid-date');
  assert.deepEqual(dates.map((d) => d.message), [
    '"2031-02-30" in <expiry_date> is not a day: February 2031 has 28 days.',
    '"20321231" in <purge_date> is not a valid date: write it as 2032-12-31 (YYYY-MM-DD, optionally with a zone).',
  ]);
  const compact = dates[1];
  const fixes = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: doc.uri }, range: compact.range, context: { diagnostics: [compact], only: [CodeActionKind.QuickFix] },
  })) as CodeAction[];
  const fix = fixes.find((a) => a.title === 'Write 2032-12-31');
  assert.ok(fix, JSON.stringify(fixes.map((a) => a.title)));
  assert.deepEqual(fix.edit!.changes![doc.uri].map((e) => e.newText), ['2032-12-31']);

  const all = (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: doc.uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [], only: [CodeActionKind.SourceFixAll] },
  })) as CodeAction[];
  assert.deepEqual(all.map((a) => a.title), ['Fix 2 Alma SIS problems: 1 element-case, 1 invalid-date']);
});
