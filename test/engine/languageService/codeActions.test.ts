import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver-types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { getCodeActions, certainFixes, compatibleFixes, resolveCodeAction } from '../../../server/src/engine/languageService/codeActions';
import type { ValidationSettings } from '../../../server/src/engine/config/types';
import { SAMPLE_SETTINGS, applyWorkspaceEdit, diagnosticsOf, doc, fixture } from './serviceFixtures';

/*
 * The strongest test of a quick fix: apply its edit to the text, validate again, and see the
 * diagnostic gone (and no broken XML in its place).
 */

function quickFixes(document: TextDocument, diagnostic: Diagnostic, settings: ValidationSettings, all?: Diagnostic[]): CodeAction[] {
  return getCodeActions(document, diagnostic.range, { diagnostics: [diagnostic] }, settings, all);
}

function sameStart(a: Diagnostic, b: Diagnostic): boolean {
  return a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

function describe(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `  ${d.code} ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('\n');
}

/** Every finding of `rule` in the fixture gets a fix that removes it when applied. */
function checkRule(fixtureName: string, rule: string, options: { expectEvery?: boolean; settings?: Partial<ValidationSettings> } = {}): void {
  test(`${rule}: each fix in ${fixtureName} removes its diagnostic`, () => {
    const loaded = fixture(fixtureName);
    const document = loaded.document;
    const settings = { ...loaded.settings, ...options.settings };
    const before = diagnosticsOf(document, settings);
    const targets = before.filter((d) => d.code === rule);
    assert.ok(targets.length > 0, `${fixtureName} has no ${rule} finding:\n${describe(before)}`);
    let fixed = 0;
    for (const target of targets) {
      const actions = quickFixes(document, target, settings);
      const hasSuggestions = ((target.data as { suggestions?: string[] } | undefined)?.suggestions ?? []).length > 0;
      if (actions.length === 0) {
        assert.ok(!options.expectEvery && !hasSuggestions, `no fix for ${rule} at ${target.range.start.line + 1}: ${target.message}`);
        continue;
      }
      const action = actions.find((a) => a.isPreferred) ?? actions[0];
      assert.equal(action.kind, CodeActionKind.QuickFix);
      assert.deepEqual(action.diagnostics, [target]);
      const after = applyWorkspaceEdit(document, action.edit);
      const remaining = diagnosticsOf(after, settings);
      assert.ok(!remaining.some((d) => d.code === rule && sameStart(d, target) && d.message === target.message),
        `"${action.title}" left ${rule} at ${target.range.start.line + 1}:\n${after.getText().split('\n').slice(Math.max(0, target.range.start.line - 3), target.range.start.line + 4).join('\n')}`);
      assert.ok(remaining.filter((d) => d.code === rule).length < targets.length, `"${action.title}" did not reduce ${rule}`);
      const newSyntax = remaining.filter((d) => d.code === 'xml-syntax').length - before.filter((d) => d.code === 'xml-syntax').length;
      assert.ok(newSyntax <= 0, `"${action.title}" broke the XML:\n${describe(remaining)}`);
      fixed++;
    }
    assert.ok(fixed > 0, `no ${rule} finding in ${fixtureName} was fixed`);
  });
}

checkRule('element-case.xml', 'element-case', { expectEvery: true });
checkRule('unknown-element.xml', 'unknown-element');
checkRule('attribute-case.xml', 'attribute-case', { expectEvery: true });
checkRule('attribute-value.xml', 'attribute-value', { expectEvery: true });
checkRule('code-case.xml', 'code-case', { expectEvery: true });
checkRule('unknown-code.xml', 'unknown-code');
checkRule('duplicate-element.xml', 'duplicate-element', { expectEvery: true });
checkRule('bom.xml', 'bom', { expectEvery: true });
checkRule('missing-element.xml', 'missing-element', { expectEvery: true });
checkRule('element-order.xml', 'element-order', { expectEvery: true });
checkRule('common-mistakes.xml', 'element-order', { expectEvery: true });
checkRule('invalid-boolean.xml', 'invalid-boolean', { expectEvery: true });
checkRule('invalid-date.xml', 'invalid-date');
checkRule('empty-value.xml', 'empty-value', { expectEvery: true });
checkRule('not-loaded.xml', 'not-loaded', { expectEvery: true });
checkRule('profile-field.xml', 'profile-field', { expectEvery: true });
checkRule('multiple-preferred.xml', 'multiple-preferred', { expectEvery: true });
checkRule('xml-syntax.xml', 'xml-syntax');
checkRule('invalid-char.xml', 'invalid-char', { expectEvery: true });
// One action per code of the institution's table: only with code tables.
checkRule('missing-type.xml', 'missing-type', { expectEvery: true, settings: { codeTables: SAMPLE_SETTINGS.codeTables } });

test('element-case renames both the start and the end tag', () => {
  const { document, settings } = fixture('element-case.xml');
  const target = diagnosticsOf(document, settings).find((d) => d.code === 'element-case')!;
  const [action] = quickFixes(document, target, settings);
  const edits = action.edit!.changes![document.uri];
  assert.equal(edits.length, 2);
  assert.deepEqual(edits.map((e) => e.newText), ['primary_id', 'primary_id']);
  assert.match(applyWorkspaceEdit(document, action.edit).getText(), /<primary_id>[^<]*<\/primary_id>/);
});

/** A user with one email whose start tag carries `attributes`. */
function oneEmail(attributes: string): string {
  return `<users>
  <user>
    <primary_id>a1</primary_id>
    <contact_info>
      <emails>
        <email ${attributes}>
          <email_address>a@example.edu</email_address>
          <email_types><email_type>personal</email_type></email_types>
        </email>
      </emails>
    </contact_info>
  </user>
</users>
`;
}

test('preferred="True" is fixed to "true" (the issue\'s example)', () => {
  const document = doc(oneEmail('preferred="True"'));
  const [target] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'attribute-value');
  const actions = quickFixes(document, target, SAMPLE_SETTINGS);
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, 'Write "true"');
  assert.equal(actions[0].isPreferred, true);
  const after = applyWorkspaceEdit(document, actions[0].edit);
  assert.match(after.getText(), /<email preferred="true">/);
  assert.deepEqual(diagnosticsOf(after, SAMPLE_SETTINGS).filter((d) => d.severity === 1), []);
});

test('an unknown code gets one action per candidate', () => {
  const document = doc(`<users>
  <user>
    <primary_id>a1</primary_id>
    <user_group>STAF</user_group>
  </user>
</users>
`);
  const [target] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'unknown-code');
  const suggestions = (target.data as { suggestions: string[] }).suggestions;
  assert.ok(suggestions.length >= 1);
  const actions = quickFixes(document, target, SAMPLE_SETTINGS);
  assert.deepEqual(actions.map((a) => a.title), suggestions.map((s) => `Replace with "${s}"`));
});

test('a misspelt attribute is renamed to the suggestion', () => {
  const document = doc(oneEmail('preferd="true"'));
  const [target] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'unknown-attribute');
  const [action] = quickFixes(document, target, SAMPLE_SETTINGS);
  assert.equal(action.title, 'Rename to preferred');
  const after = applyWorkspaceEdit(document, action.edit);
  assert.deepEqual(diagnosticsOf(after, SAMPLE_SETTINGS).filter((d) => d.code === 'unknown-attribute'), []);
});

test('a missing child is added on its own line, indented like its siblings', () => {
  const document = doc(`<users>
  <user>
    <primary_id>a1</primary_id>
    <user_identifiers>
      <user_identifier>
        <id_type>BARCODE</id_type>
      </user_identifier>
    </user_identifiers>
  </user>
</users>
`);
  const [target] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'missing-element');
  const [action] = quickFixes(document, target, SAMPLE_SETTINGS);
  const after = applyWorkspaceEdit(document, action.edit).getText();
  assert.match(after, /\n {8}<id_type>BARCODE<\/id_type>\n {8}<value><\/value>\n {6}<\/user_identifier>/);
});

test('a duplicate element is removed with its line', () => {
  const document = doc('<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <first_name>A</first_name>\n    <first_name>B</first_name>\n  </user>\n</users>\n');
  const [target] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'duplicate-element');
  const [action] = quickFixes(document, target, SAMPLE_SETTINGS);
  assert.equal(applyWorkspaceEdit(document, action.edit).getText(),
    '<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <first_name>A</first_name>\n  </user>\n</users>\n');
});

test('contact_info children are put in order, keeping the indentation', () => {
  const document = doc(`<users>
  <user>
    <primary_id>a1</primary_id>
    <contact_info>
      <phones>
        <phone><phone_number>1</phone_number><phone_types><phone_type>home</phone_type></phone_types></phone>
      </phones>
      <emails>
        <email><email_address>a@b.c</email_address><email_types><email_type>work</email_type></email_types></email>
      </emails>
      <addresses>
        <address><line1>x</line1><city>y</city><address_types><address_type>home</address_type></address_types></address>
      </addresses>
    </contact_info>
  </user>
</users>
`);
  const diagnostics = diagnosticsOf(document, SAMPLE_SETTINGS);
  const target = diagnostics.find((d) => d.code === 'element-order')!;
  const [action] = quickFixes(document, target, SAMPLE_SETTINGS);
  const after = applyWorkspaceEdit(document, action.edit);
  const text = after.getText();
  assert.ok(text.indexOf('<addresses>') < text.indexOf('<emails>') && text.indexOf('<emails>') < text.indexOf('<phones>'));
  assert.match(text, /<contact_info>\n {6}<addresses>/);
  assert.deepEqual(diagnosticsOf(after, SAMPLE_SETTINGS), []);
});

test('quick fixes ignore diagnostics of other sources', () => {
  const document = doc('<users><user><Primary_ID>a</Primary_ID></user></users>');
  const [ours] = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'element-case');
  const foreign: Diagnostic = { ...ours, source: 'xml' };
  assert.deepEqual(getCodeActions(document, ours.range, { diagnostics: [foreign] }, SAMPLE_SETTINGS), []);
});

function fixAll(document: TextDocument, settings: ValidationSettings, all?: Diagnostic[]): CodeAction | undefined {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return getCodeActions(document, range, { diagnostics: [], only: [CodeActionKind.SourceFixAll] }, settings, all)[0];
}

for (const name of ['common-mistakes.xml', 'element-case.xml', 'attribute-case.xml', 'code-case.xml', 'xml-syntax.xml', 'invalid-boolean.xml', 'bom.xml']) {
  test(`source.fixAll on ${name} leaves no finding with a certain fix`, () => {
    const { document, settings } = fixture(name);
    const before = diagnosticsOf(document, settings);
    const action = fixAll(document, settings);
    assert.ok(action, `no fix-all action for ${name}:\n${describe(before)}`);
    assert.equal(action.kind, CodeActionKind.SourceFixAll);
    const after = applyWorkspaceEdit(document, action.edit);
    const remaining = diagnosticsOf(after, settings);
    assert.ok(remaining.length < before.length, `nothing fixed:\n${describe(remaining)}`);
    assert.deepEqual(certainFixes(after, remaining, settings).fixes.map((f) => f.title), [], `fixable findings remain:\n${describe(remaining)}`);
    assert.ok(remaining.filter((d) => d.code === 'xml-syntax').length <= before.filter((d) => d.code === 'xml-syntax').length);
  });
}

test('a finding collapsed into one diagnostic: fix all of its kind fixes every place', () => {
  const users = [1, 2, 3].map((k) => `  <user>\n    <Primary_ID>u${k}</Primary_ID>\n  </user>`).join('\n');
  const document = doc(`<users>\n${users}\n</users>\n`);
  const all = diagnosticsOf(document, SAMPLE_SETTINGS).filter((d) => d.code === 'element-case');
  assert.equal(all.length, 1, 'the validator collapses the three');
  const actions = quickFixes(document, all[0], SAMPLE_SETTINGS, all);
  const batch = actions.find((a) => a.title.startsWith('Fix all element-case'));
  assert.ok(batch, actions.map((a) => a.title).join(', '));
  assert.match(batch.title, /\(3\)$/);
  assert.deepEqual(diagnosticsOf(applyWorkspaceEdit(document, batch.edit), SAMPLE_SETTINGS), []);
  const all2 = fixAll(document, SAMPLE_SETTINGS, all)!;
  assert.deepEqual(diagnosticsOf(applyWorkspaceEdit(document, all2.edit), SAMPLE_SETTINGS), []);
});

test('with resolve support, fix all of a kind comes without an edit until resolved', () => {
  const { document, settings } = fixture('element-case.xml');
  const all = diagnosticsOf(document, settings);
  const actions = getCodeActions(document, all[0].range, { diagnostics: [all[0]] }, settings, all, { resolveSupport: true });
  const lazy = actions.find((a) => a.title.startsWith('Fix all element-case'))!;
  assert.equal(lazy.edit, undefined);
  const resolved = resolveCodeAction(document, lazy, settings);
  const remaining = diagnosticsOf(applyWorkspaceEdit(document, resolved.edit), settings);
  assert.deepEqual(remaining.filter((d) => d.code === 'element-case'), []);
  const single = actions.find((a) => a.edit)!;
  assert.equal(resolveCodeAction(document, single, settings), single);
});

test('"fix all of this kind" is offered beside a fix when the file has more of the kind', () => {
  const { document, settings } = fixture('element-case.xml');
  const all = diagnosticsOf(document, settings);
  const actions = quickFixes(document, all[0], settings, all);
  const batch = actions.find((a) => a.title.startsWith('Fix all element-case'));
  assert.ok(batch, actions.map((a) => a.title).join(', '));
  const remaining = diagnosticsOf(applyWorkspaceEdit(document, batch.edit), settings);
  assert.deepEqual(remaining.filter((d) => d.code === 'element-case'), []);
});

test('no source.fixAll action is offered unless asked for', () => {
  const { document, settings } = fixture('element-case.xml');
  const all = diagnosticsOf(document, settings);
  const actions = getCodeActions(document, all[0].range, { diagnostics: [all[0]] }, settings);
  assert.ok(actions.every((a) => a.kind === CodeActionKind.QuickFix));
});

test('fixes whose edits overlap are not combined: the first in the document wins', () => {
  const fix = (title: string, start: number, end: number) => ({ title, edits: [{ start, end, newText: 'x' }], certain: true, preferred: true });
  const chosen = compatibleFixes([fix('b', 5, 9), fix('a', 0, 6), fix('c', 9, 12), fix('d', 12, 12), fix('e', 12, 12)]);
  assert.deepEqual(chosen.fixes.map((f) => f.title), ['a', 'c', 'd']);
  assert.equal(chosen.edits.length, 3);
});

/** The first quick fix for the first finding of `rule`, applied; the document after it. */
function applyFirstFix(text: string, rule: string, settings: ValidationSettings = SAMPLE_SETTINGS): TextDocument {
  const document = doc(text);
  const target = diagnosticsOf(document, settings).find((d) => d.code === rule);
  assert.ok(target, `no ${rule} in:\n${text}`);
  const [action] = quickFixes(document, target, settings);
  assert.ok(action, `no fix for ${rule}`);
  return applyWorkspaceEdit(document, action.edit);
}

test('an output-only attribute is removed with the space before it', () => {
  const after = applyFirstFix('<users>\n  <user link="https://x/1">\n    <primary_id>a1</primary_id>\n  </user>\n</users>\n', 'not-loaded');
  assert.match(after.getText(), /\n {2}<user>\n/);
});

test('version 1: an ISO date becomes YYYYMMDD', () => {
  const after = applyFirstFix(`<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">
  <userRecord><userDetails><userName>a</userName><status>Active</status><expiryDate>2027-06-30</expiryDate></userDetails></userRecord>
</userRecords>
`, 'invalid-date');
  assert.match(after.getText(), /<expiryDate>20270630<\/expiryDate>/);
});

test('a missing child goes into a self-closing parent and into a parent written on one line', () => {
  const selfClosing = applyFirstFix('<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <user_notes>\n      <user_note/>\n    </user_notes>\n  </user>\n</users>\n', 'missing-element');
  assert.match(selfClosing.getText(), /<user_note>\n {8}<note_type><\/note_type>\n {6}<\/user_note>/);
  const inline = applyFirstFix('<users>\n  <user>\n    <primary_id>a1</primary_id>\n    <user_identifiers><user_identifier><value>1</value></user_identifier></user_identifiers>\n  </user>\n</users>\n', 'missing-element');
  assert.ok(!diagnosticsOf(inline, SAMPLE_SETTINGS).some((d) => d.code === 'missing-element' || d.code === 'xml-syntax'), inline.getText());
});

test('CRLF files get CRLF in what a fix inserts', () => {
  const text = '<users>\r\n  <user>\r\n    <primary_id>a1</primary_id>\r\n    <user_identifiers>\r\n      <user_identifier>\r\n        <value>1</value>\r\n      </user_identifier>\r\n    </user_identifiers>\r\n  </user>\r\n</users>\r\n';
  const after = applyFirstFix(text, 'missing-element').getText();
  assert.ok(!/[^\r]\n/.test(after), JSON.stringify(after));
  assert.match(after, / {8}<id_type><\/id_type>\r\n {6}<\/user_identifier>/);
});

test('fix all reorders contact_info and fixes the names inside it in one go', () => {
  const document = doc(`<users>
  <user>
    <primary_id>a1</primary_id>
    <contact_info>
      <phones>
        <phone Preferred="true"><phone_number>1</phone_number><phone_types><phone_type>home</phone_type></phone_types></phone>
      </phones>
      <emails>
        <email segment_type="external"><email_address>a@b.c</email_address><Email_Types><email_type>work</email_type></Email_Types></email>
      </emails>
    </contact_info>
  </user>
</users>
`);
  const before = diagnosticsOf(document, SAMPLE_SETTINGS);
  assert.deepEqual(before.map((d) => d.code).sort(), ['attribute-case', 'attribute-value', 'element-case', 'element-order']);
  const after = applyWorkspaceEdit(document, fixAll(document, SAMPLE_SETTINGS)!.edit);
  assert.deepEqual(diagnosticsOf(after, SAMPLE_SETTINGS), [], after.getText());
  assert.match(after.getText(), /<contact_info>\n {6}<emails>\n {8}<email segment_type="External">/);
});

test('an action left to resolve names its document', () => {
  const { document, settings } = fixture('element-case.xml');
  const all = diagnosticsOf(document, settings);
  const lazy = getCodeActions(document, all[0].range, { diagnostics: [all[0]] }, settings, all, { resolveSupport: true }).find((a) => !a.edit)!;
  assert.deepEqual(lazy.data, { fixAllRule: 'element-case', uri: document.uri });
});

test('source.fixAll says what it fixes: how many problems, by rule, most first', () => {
  const { document, settings } = fixture('common-mistakes.xml');
  const action = fixAll(document, settings)!;
  const match = /^Fix (\d+) Alma SIS problems: (.+)$/.exec(action.title);
  assert.ok(match, action.title);
  const parts = match[2].split(', ').map((p) => /^(\d+) ([a-z0-9-]+)$/.exec(p)!);
  assert.equal(parts.reduce((sum, p) => sum + Number(p[1]), 0), Number(match[1]), action.title);
  const counts = parts.map((p) => Number(p[1]));
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'most first');
  // Every rule it names was reported, and is no longer after the fix.
  const before = diagnosticsOf(document, settings);
  const after = diagnosticsOf(applyWorkspaceEdit(document, action.edit), settings);
  for (const [, , rule] of parts) {
    assert.ok(before.some((d) => d.code === rule), `${rule} was not reported`);
    assert.ok(after.filter((d) => d.code === rule).length < before.filter((d) => d.code === rule).length, `${rule} is still reported as often`);
  }

  const users = [1, 2, 3].map((k) => `  <user>\n    <Primary_ID>u${k}</Primary_ID>\n    <status>active</status>\n  </user>`).join('\n');
  assert.equal(fixAll(doc(`<users>\n${users}\n</users>\n`), SAMPLE_SETTINGS)!.title, 'Fix 6 Alma SIS problems: 3 element-case, 3 code-case');
});

test('a code action request with none of our diagnostics at the cursor does not read the text (a 100k-user buffer would be joined for nothing)', () => {
  const document = doc('<users><user><primary_id>a</primary_id></user></users>');
  const reading = new Proxy(document, {
    get(target, key, receiver) {
      if (key === 'getText') return () => assert.fail('getText() was called');
      return Reflect.get(target, key, receiver);
    },
  });
  const range = { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } };
  const foreign: Diagnostic = { range, message: 'from another extension', source: 'xml', code: 'x' };
  assert.deepEqual(getCodeActions(reading, range, { diagnostics: [] }, SAMPLE_SETTINGS), []);
  assert.deepEqual(getCodeActions(reading, range, { diagnostics: [foreign], only: [CodeActionKind.QuickFix] }, SAMPLE_SETTINGS), []);
});
