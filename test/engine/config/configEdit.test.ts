import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withHostKeyFingerprint } from '../../../server/src/engine/config/configEdit';
import { parseConfig } from '../../../server/src/engine/config/configFile';
import { repoRoot } from '../../helpers/repoRoot';

const FP = 'SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0';
const sample = readFileSync(join(repoRoot(), 'samples', 'alma-sis.config.json'), 'utf8');

function pinned(text: string, code: string): string | undefined {
  return parseConfig(text, '/x/alma-sis.config.json').profiles.find((p) => p.code === code)?.sftp?.hostKeyFingerprint;
}

/** The lines that differ between two texts of the same line count. */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  return b.filter((line, i) => line !== a[i]);
}

describe('pinning a host key in alma-sis.config.json', () => {
  it('replaces an existing fingerprint and changes nothing else', () => {
    const edited = withHostKeyFingerprint(sample, 'c.json', 'STUDENTS', FP);
    assert.equal(pinned(edited, 'STUDENTS'), FP);
    assert.equal(edited.split('\n').length, sample.split('\n').length);
    assert.deepEqual(changedLines(sample, edited), [`        "hostKeyFingerprint": "${FP}",`]);
  });

  it('adds the member on its own line with the indentation of the others', () => {
    const text = sample.replace(/\n\s*"hostKeyFingerprint": "[^"]*",/, '');
    const edited = withHostKeyFingerprint(text, 'c.json', 'STUDENTS', FP);
    assert.equal(pinned(edited, 'STUDENTS'), FP);
    assert.match(edited, /"exportPath": "export",\n {8}"hostKeyFingerprint": "SHA256:[^"]+"\n {6}\}/);
    assert.equal(edited.replace(/,\n {8}"hostKeyFingerprint": "[^"]+"/, ''), text);
  });

  it('handles a one-line sftp object, the second of several profiles, and tabs', () => {
    const text = '{\n\t"profiles": [\n\t\t{"code": "A"},\n\t\t{"code": "B", "sftp": {"host": "h", "username": "u"}}\n\t]\n}\n';
    const edited = withHostKeyFingerprint(text, 'c.json', 'B', FP);
    assert.equal(pinned(edited, 'B'), FP);
    assert.equal(edited, text.replace('"username": "u"}', `"username": "u", "hostKeyFingerprint": "${FP}"}`));
  });

  it('keeps CRLF line ends and a byte order mark, and fills an empty sftp object', () => {
    const crlf = sample.replace(/\n\s*"hostKeyFingerprint": "[^"]*",/, '').replace(/\n/g, '\r\n');
    const edited = withHostKeyFingerprint(`\uFEFF${crlf}`, 'c.json', 'STUDENTS', FP);
    assert.ok(edited.startsWith('\uFEFF{'));
    assert.equal(edited.split('\r\n').length, crlf.split('\r\n').length + 1, 'one line more');
    assert.doesNotMatch(edited, /[^\r]\n/, 'no bare LF');
    assert.equal(pinned(edited.slice(1), 'STUDENTS'), FP);
    const empty = '{\n  "profiles": [\n    {"code": "A", "sftp": {  }}\n  ]\n}\n';
    assert.equal(withHostKeyFingerprint(empty, 'c.json', 'A', FP), `{\n  "profiles": [\n    {"code": "A", "sftp": {\n      "hostKeyFingerprint": "${FP}"\n    }}\n  ]\n}\n`);
  });

  it('refuses a file with a key written twice, which loading refuses too, instead of editing the copy JSON ignores', () => {
    const twice = '{"profiles": [{"code": "A", "sftp": {"host": "h", "hostKeyFingerprint": "old"}}],\n "profiles": [{"code": "A", "sftp": {"host": "h"}}]}';
    assert.throws(() => withHostKeyFingerprint(twice, 'c.json', 'A', FP), { name: 'ConfigError', message: 'c.json:2:2: profiles appears twice in one object (first at line 1); JSON keeps only the last one' });
  });

  it('refuses text that is not strict JSON with the reader\'s message', () => {
    assert.throws(() => withHostKeyFingerprint('{"profiles": [{"code": "A", "sftp": {}}], // pinned\n}', 'c.json', 'A', FP), { message: 'c.json:1:43: JSON syntax error: comments are not allowed in JSON' });
  });

  it('refuses an unknown profile or one without sftp settings', () => {
    assert.throws(() => withHostKeyFingerprint(sample, 'c.json', 'NOPE', FP), /no profile NOPE/);
    assert.throws(() => withHostKeyFingerprint('{"profiles": [{"code": "A"}]}', 'c.json', 'A', FP), /no sftp settings/);
  });
});
