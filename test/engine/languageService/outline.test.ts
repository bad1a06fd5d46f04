import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { documentSymbols, foldingRanges } from '../../../server/src/engine/languageService/outline';
import { contextAt, detectRoot, userExtentAt } from '../../../server/src/engine/languageService/documentContext';
import { doc, generatedUsers, samplesDir } from './serviceFixtures';

test('one symbol per user, named by primary_id, with the name as detail and the sections as children', () => {
  const document = doc(readFileSync(join(samplesDir, 'valid', 'users-v2.xml'), 'utf8'));
  const symbols = documentSymbols(document);
  assert.deepEqual(symbols.map((s) => s.name), ['amelie.dubois', 'wang.xiaoming', 'e.okonkwo', 'jmacleod']);
  assert.equal(symbols[0].detail, 'Amélie Dubois-Lefèvre');
  assert.equal(symbols[0].kind, SymbolKind.Object);
  assert.deepEqual(symbols[1].children!.map((c) => c.name), ['contact_info', 'user_identifiers', 'user_statistics']);
  const text = document.getText();
  const first = symbols[0];
  assert.ok(text.slice(document.offsetAt(first.range.start)).startsWith('<user>'));
  assert.ok(text.slice(0, document.offsetAt(first.range.end)).endsWith('</user>'));
});

test('version 1 users are named by userName', () => {
  const document = doc(readFileSync(join(samplesDir, 'valid', 'users-v1.xml'), 'utf8'));
  const symbols = documentSymbols(document);
  assert.deepEqual(symbols.map((s) => s.name), ['t.ngata', 'm.oconnell']);
  assert.ok(symbols[0].children!.some((c) => c.name === 'userIdentifiers'));
});

test('a user without primary_id still has a symbol', () => {
  const symbols = documentSymbols(doc('<users><user><first_name>A</first_name><last_name>B</last_name></user></users>'));
  assert.deepEqual(symbols.map((s) => [s.name, s.detail]), [['(no primary_id)', 'A B']]);
});

test('a huge file: the outline is capped and ends with a notice', () => {
  const document = doc(generatedUsers(1200));
  const symbols = documentSymbols(document, { maxUsers: 1000 });
  assert.equal(symbols.length, 1001);
  assert.equal(symbols[999].name, 'user999');
  assert.match(symbols[1000].name, /200 more users not listed/);
});

test('folding: a user, its sections and their segments; end tags stay visible', () => {
  const document = doc(generatedUsers(2));
  const ranges = foldingRanges(document);
  // Per user: the user (<user> on line 2, </user> on 13), user_identifiers, user_identifier.
  assert.deepEqual(ranges.slice(0, 3).map((r) => [r.startLine, r.endLine]), [[2, 12], [7, 11], [8, 10]]);
  assert.equal(ranges.length, 6);
});

test('broken markup does not stop the outline', () => {
  const symbols = documentSymbols(doc('<users>\n<user><primary_id>a</primary_id><first_name>A</first_nam>\n</user>\n<user><primary_id>b</primary_id></user>\n</users>'));
  assert.deepEqual(symbols.map((s) => s.name), ['a', 'b']);
});

test('a request reads one user: the context of a position is the user around it', () => {
  const text = generatedUsers(3000);
  const root = detectRoot(text);
  const offset = text.indexOf('<value>B1500<') + 8;
  const extent = userExtentAt(text, offset, root)!;
  const user = text.slice(extent.start, extent.end);
  assert.ok(user.startsWith('<user>') && user.endsWith('</user>'));
  assert.ok(user.includes('user1500<') && !user.includes('user1499<') && !user.includes('user1501<'));
  const ctx = contextAt(text, offset, root);
  assert.equal(ctx.element!.name, 'value');
  assert.equal(ctx.user!.end - ctx.user!.start, extent.end - extent.start);
});

test('between users there is no user context', () => {
  const text = generatedUsers(3);
  const between = text.indexOf('</user>') + '</user>'.length + 1;
  assert.equal(userExtentAt(text, between, detectRoot(text)), null);
});

test('the root tells the version', () => {
  assert.equal(detectRoot('<users><user/></users>').version, 2);
  assert.equal(detectRoot('<?xml version="1.0"?>\n<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans"><userRecord/></userRecords>').version, 1);
  assert.equal(detectRoot('<userRecords><user/></userRecords>').version, 2, 'MIT writes v2 users in <userRecords>');
  assert.equal(detectRoot('<user><primary_id>a</primary_id></user>').rootIsUser, true);
});

/** Every symbol's name, children included, as VS Code needs them: a DocumentSymbol without a name fails the whole outline. */
function namesOf(symbols: readonly DocumentSymbol[]): string[] {
  return symbols.flatMap((s) => [s.name, ...namesOf(s.children ?? []).map((c) => `${s.name}/${c}`)]);
}

test('a bare < typed before any tag between elements keeps every user, their sections, and a name on every symbol', () => {
  for (const name of ['users-v2.xml', 'users-v1.xml']) {
    const text = readFileSync(join(samplesDir, 'valid', name), 'utf8');
    const expected = namesOf(documentSymbols(doc(text)));
    const rootEnd = text.indexOf('>', text.search(/<(users|userRecords)[\s>]/)) + 1;
    // Before every tag that does not end a text (typed inside a value, the `<` is part of what the outline names the user by).
    for (const match of text.matchAll(/(?<=[\s>])<\/?[A-Za-z]/g)) {
      if (match.index! < rootEnd) continue;
      for (const typed of ['<', '<\n', '< ']) {
        const edited = text.slice(0, match.index) + typed + text.slice(match.index);
        const names = namesOf(documentSymbols(doc(edited)));
        assert.deepEqual(names, expected, `${name}: ${JSON.stringify(typed)} typed at ${match.index}`);
        assert.ok(names.every((n) => !n.endsWith('/') && !n.includes('//')), `${name}: a nameless symbol at ${match.index}`);
        for (const fold of foldingRanges(doc(edited))) assert.ok(fold.endLine > fold.startLine);
      }
    }
  }
});

test('a user whose end tag is half typed ends where the next user starts: the users after it stay', () => {
  const text = '<users>\n  <user>\n    <primary_id>a</primary_id>\n  </use<\n  <user>\n    <primary_id>b</primary_id>\n  </user>\n  <user>\n    <primary_id>c</primary_id>\n  </user>\n</users>\n';
  const symbols = documentSymbols(doc(text));
  assert.deepEqual(symbols.map((s) => s.name), ['a', 'b', 'c']);
  assert.ok(doc(text).getText(symbols[0].range).startsWith('<user>\n    <primary_id>a</primary_id>'));
});

test('folded users carry their primary_id and name as collapsedText, when asked (LSP 3.17)', () => {
  const document = doc(readFileSync(join(samplesDir, 'valid', 'users-v2.xml'), 'utf8'));
  const users = foldingRanges(document, { collapsedText: true }).filter((r) => r.collapsedText !== undefined);
  assert.equal(users[0].collapsedText, '<user> amelie.dubois (Amélie Dubois-Lefèvre)');
  // Each user's fold says what its outline entry says, on the line where the user starts.
  const symbols = documentSymbols(document);
  assert.deepEqual(users.map((r) => [r.startLine, r.collapsedText]), symbols.map((s) => [s.range.start.line, `<user> ${s.name} (${s.detail})`]));
  // The same folds either way; only the users' carry a text.
  assert.deepEqual(foldingRanges(document, { collapsedText: true }).map((r) => [r.startLine, r.endLine]), foldingRanges(document).map((r) => [r.startLine, r.endLine]));
  assert.ok(foldingRanges(document).every((r) => r.collapsedText === undefined));
  const v1 = foldingRanges(doc(readFileSync(join(samplesDir, 'valid', 'users-v1.xml'), 'utf8')), { collapsedText: true }).filter((r) => r.collapsedText);
  assert.match(v1[0].collapsedText!, /^<userRecord> t\.ngata \(/);
  const anonymous = foldingRanges(doc('<users>\n  <user>\n    <first_name>A</first_name>\n  </user>\n</users>\n'), { collapsedText: true });
  assert.deepEqual(anonymous.map((r) => r.collapsedText), ['<user> (no primary_id) (A)']);
});
