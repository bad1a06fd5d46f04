import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { ConfigError, type DocumentResult, type Finding } from '../../server/src/engine';
import { toDiagnostics, configErrorDiagnostics, ruleDocumentationUrl } from '../../server/src/lsp/diagnostics';
import { countSeverities } from '../../server/src/engine';
import { isAlmaUserFile } from '../../server/src/engine';

function finding(rule: Finding['rule'], severity: Finding['severity'], line: number, extra: Partial<Finding> = {}): Finding {
  return { rule, severity, message: `${rule} on line ${line}`, range: { start: { line, character: 2 }, end: { line, character: 5 } }, related: [], ...extra };
}

function result(findings: Finding[]): DocumentResult {
  return { path: 'doc.xml', schemaVersion: 2, users: 3, findings };
}

test('diagnostics carry the rule id, the source, the documentation link and related places as URIs', () => {
  const related = [{ path: 'a.xml', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } }, message: 'first used here' }];
  const [d] = toDiagnostics(result([finding('duplicate-identifier', 'error', 4, { related })]), (p) => `file:///set/${p}`);
  assert.equal(d.code, 'duplicate-identifier');
  assert.equal(d.source, 'alma-sis');
  assert.match(d.codeDescription?.href ?? '', /^file:\/\/.*\/docs\/rules\/duplicate-identifier\.md$/, 'the rule\'s page shipped beside the server');
  assert.ok(existsSync(fileURLToPath(d.codeDescription!.href)));
  assert.equal(d.relatedInformation?.[0].location.uri, 'file:///set/a.xml');
  assert.equal(d.severity, DiagnosticSeverity.Error);
});

test('maxProblems keeps errors first and adds one diagnostic that counts what was left out', () => {
  const findings = [
    finding('profile-field', 'info', 1),
    finding('missing-type', 'warning', 2),
    finding('invalid-date', 'error', 3),
    finding('max-length', 'error', 9),
    finding('pin-format', 'warning', 10),
  ];
  const shown = toDiagnostics(result(findings), (p) => p, 3);
  assert.deepEqual(shown.slice(0, 3).map((d) => d.code), ['invalid-date', 'max-length', 'missing-type']);
  assert.equal(shown.length, 4);
  assert.equal(shown[3].code, undefined);
  assert.match(String(shown[3].message), /^2 more problems are not shown \(1 warning, 1 info\)/);
  assert.equal(shown[3].range.start.line, 1, 'at the first place left out');
  assert.equal(toDiagnostics(result(findings), (p) => p, 5).length, 5, 'nothing is added under the cap');
});

test('counts are of what is listed, as the CLI counts: a collapsed finding and a cap notice are one each', () => {
  const counts = countSeverities([finding('profile-field', 'info', 1, { occurrences: 100_000 }), finding('missing-type', 'warning', 2, { omitted: 7 }), finding('xml-syntax', 'error', 3)]);
  assert.deepEqual(counts, { errors: 1, warnings: 1, infos: 1 });
});

test('a configuration error becomes diagnostics at its 1-based line and column, in the configuration file', () => {
  const error = new ConfigError('/x/alma-sis.config.json', [{ message: 'unknown key', line: 3, column: 5 }, { message: 'no line' }]);
  const [first, second] = configErrorDiagnostics(error);
  assert.deepEqual(first.range.start, { line: 2, character: 4 });
  assert.equal(first.severity, DiagnosticSeverity.Error);
  assert.deepEqual(second.range.start, { line: 0, character: 0 });
});

test('Alma user files are recognised by their root, whatever the file is called; other XML is not', () => {
  assert.ok(isAlmaUserFile('<?xml version="1.0"?>\n<!-- export -->\n<users><user/></users>'));
  assert.ok(isAlmaUserFile('<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans"/>'));
  assert.ok(isAlmaUserFile('<user><primary_id>x</primary_id></user>'));
  assert.ok(isAlmaUserFile('<Users></Users>'), 'a miscased root is still a user file with a mistake');
  assert.ok(!isAlmaUserFile('<project><modelVersion>4</modelVersion></project>'));
  assert.ok(!isAlmaUserFile(''));
});

test('each rule links to its own page; a code that is no rule gets no link', () => {
  const pages = new Set(['invalid-date', 'xml-syntax', 'researcher-fields'].map((rule) => ruleDocumentationUrl(rule)));
  assert.equal(pages.size, 3);
  for (const href of pages) assert.ok(href !== undefined && existsSync(fileURLToPath(href)), href);
  assert.equal(ruleDocumentationUrl('identifier-taken'), undefined);
  assert.equal(ruleDocumentationUrl('../README'), undefined);
  const [d] = toDiagnostics(result([finding('invalid-date', 'error', 1)]), (p) => p);
  assert.equal(d.codeDescription?.href, ruleDocumentationUrl('invalid-date'));
});
