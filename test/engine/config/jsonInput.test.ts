import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatJsonPath, nearestName, parseJsonDocument } from '../../../server/src/engine/config/jsonInput';

describe('parseJsonDocument', () => {
  it('reads valid JSON exactly as JSON.parse does', () => {
    const texts = [
      '{}',
      '[]',
      '{"a": [1, -2, 3.5, 1e3, -0.25E-2, 0], "b": {"c": null, "d": true, "e": false}}',
      '"escapes: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00"',
      ' \t\r\n{ "spaced" :\r\n [ 1 ,2 ] }\n',
      '{"unicode": "Zoë 東京 😀", "": "empty key"}',
      '12',
      'null',
    ];
    for (const text of texts) assert.deepEqual(parseJsonDocument(text, 'x.json').value, JSON.parse(text), text);
  });

  it('keeps a "__proto__" key as a plain key instead of changing the prototype', () => {
    const value = parseJsonDocument('{"__proto__": {"polluted": true}}', 'x.json').value as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal((value as { polluted?: boolean }).polluted, undefined);
  });

  it('records where each key and array element starts', () => {
    const document = parseJsonDocument('{\n  "profiles": [\n    {"code": "A"},\n    {"code": "B"}\n  ]\n}', 'x.json');
    assert.deepEqual(document.locations.get('profiles'), { line: 2, column: 3 });
    assert.deepEqual(document.locations.get('profiles[1]'), { line: 4, column: 5 });
    assert.deepEqual(document.locations.get('profiles[1].code'), { line: 4, column: 6 });
  });

  it('rejects what JSON.parse rejects, with a position', () => {
    const invalid = ['{"a": 01}', '{"a": 1.}', '{"a": -}', '{"a": .5}', '{"a": tru}', '{"a": "\\u12"}', '{"a": "tab\there"}', '[1,]', '{"a" 1}', '{,}', 'nul', '{"a": 1} {"b": 2}'];
    for (const text of invalid) {
      assert.throws(() => JSON.parse(text), SyntaxError, text);
      assert.throws(() => parseJsonDocument(text, 'x.json'), (error: unknown) => error instanceof ConfigError && error.problems[0].line === 1 && error.problems[0].column! > 0, text);
    }
  });
});

describe('formatJsonPath', () => {
  it('writes paths the way the messages name them', () => {
    assert.equal(formatJsonPath([]), '');
    assert.equal(formatJsonPath(['profiles', 0, 'sftp', 'port']), 'profiles[0].sftp.port');
    assert.equal(formatJsonPath(['rules', 'pin-format']), 'rules.pin-format');
    assert.equal(formatJsonPath(['rules', 'has space']), 'rules["has space"]');
  });
});

describe('nearestName', () => {
  const names = ['userGroups', 'identifierTypes', 'phoneTypes', 'emailTypes'];
  it('finds a case slip, a unique prefix, a known name with a suffix, a transposition and a small typo', () => {
    assert.equal(nearestName('hostname', ['host', 'port', 'username']), 'host');
    assert.equal(nearestName('USERGROUPS', names), 'userGroups');
    assert.equal(nearestName('ident', names), 'identifierTypes');
    assert.equal(nearestName('phoenTypes', names), 'phoneTypes');
    assert.equal(nearestName('emailType', names), 'emailTypes');
  });
  it('offers nothing for a word that is not close to any name, or an ambiguous prefix', () => {
    assert.equal(nearestName('barcode', names), undefined);
    assert.equal(nearestName('xy', ['ab', 'cd']), undefined);
    assert.equal(nearestName('ema', ['emailTypes', 'emails']), undefined);
  });
});
