import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, MAX_CONFIG_BYTES, formatJsonPath, nearestName, parseJsonDocument, readConfigText } from '../../../server/src/engine/config/jsonInput';
import { loadCodeTables } from '../../../server/src/engine/config/codeTables';
import { missingTool } from '../../helpers/prerequisites';

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

  // A minified code tables export is one line. Locating each key used to search for the next line
  // break from the key on, which there is the end of the file: about a minute for this 9 MB, where
  // a linear read takes a second or two; the timeout lies far from both.
  it('reads a 9 MB file on one line in linear time, with the right columns', { timeout: 20_000 }, () => {
    const codes = Array.from({ length: 200_000 }, (_, i) => ({ code: `G${i}`, description: `group ${i}` }));
    const text = JSON.stringify({ userGroups: codes });
    assert.ok(text.length > 9_000_000 && !text.includes('\n'));
    const document = parseJsonDocument(text, 'x.json');
    assert.equal((document.value as { userGroups: unknown[] }).userGroups.length, 200_000);
    const last = `{"code":"G199999"`;
    assert.deepEqual(document.locations.get('userGroups[199999]'), { line: 1, column: text.lastIndexOf(last) + 1 });
  });

  it('counts lines across line breaks of every kind of layout', () => {
    const text = '{\n"a":\n\n  [1,\n 2],\r\n  "b": {"c": 3}}';
    const document = parseJsonDocument(text, 'x.json');
    assert.deepEqual(document.locations.get('a'), { line: 2, column: 1 });
    assert.deepEqual(document.locations.get('a[1]'), { line: 5, column: 2 });
    assert.deepEqual(document.locations.get('b'), { line: 6, column: 3 });
    assert.deepEqual(document.locations.get('b.c'), { line: 6, column: 9 });
  });

  it('rejects what JSON.parse rejects, with a position', () => {
    const invalid = ['{"a": 01}', '{"a": 1.}', '{"a": -}', '{"a": .5}', '{"a": tru}', '{"a": "\\u12"}', '{"a": "tab\there"}', '[1,]', '{"a" 1}', '{,}', 'nul', '{"a": 1} {"b": 2}'];
    for (const text of invalid) {
      assert.throws(() => JSON.parse(text), SyntaxError, text);
      assert.throws(() => parseJsonDocument(text, 'x.json'), (error: unknown) => error instanceof ConfigError && error.problems[0].line === 1 && error.problems[0].column! > 0, text);
    }
  });

  // What jsonc-parser scans differently (a word, a number ended by a letter) still reads as before.
  it('names the same place and problem for words and numbers run together', () => {
    const problem = (text: string) => {
      try {
        parseJsonDocument(text, 'x.json');
      } catch (error) {
        const [{ message, line, column }] = (error as ConfigError).problems;
        return `${line}:${column} ${message}`;
      }
      return 'no error';
    };
    assert.equal(problem('{"a": truex}'), '1:11 JSON syntax error: expected \',\' or \'}\' after the value of "a", found \'x\'');
    assert.equal(problem('[1, 01]'), '1:5 JSON syntax error: invalid number "01..."');
    assert.equal(problem('{"a": 1.}'), '1:7 JSON syntax error: invalid number "1...."');
    assert.equal(problem('[-x]'), "1:2 JSON syntax error: invalid number at '-'");
    assert.equal(problem('[12'), "1:4 JSON syntax error: expected ',' or ']' after an array element, found the end of the file");
    assert.equal(problem('{"a" "b\\q"}'), '1:6 JSON syntax error: expected \':\' after the property name "a", found \'"\'');
    assert.equal(problem('{"a": "\\u12"}'), '1:8 JSON syntax error: \\u must be followed by four hexadecimal digits');
    assert.equal(problem('["\u00a0", \u00a0]'), "1:7 JSON syntax error: expected a value, found '\u00a0'");
    assert.equal(problem('{"a": 1}\uFEFF'), "1:9 JSON syntax error: unexpected '\uFEFF' after the end of the JSON value");
  });

  it('counts a byte order mark as a column, as before, and finds duplicates in each object apart', () => {
    const document = parseJsonDocument('\uFEFF{"r": {"a": 1}, "r": {"a": 2, "b": 3, "a": 4}}', 'x.json');
    assert.deepEqual(document.locations.get('r'), { line: 1, column: 18 });
    assert.deepEqual(document.duplicateKeys, [
      { path: ['r'], first: { line: 1, column: 3 } },
      { path: ['r', 'a'], first: { line: 1, column: 24 } },
    ]);
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

describe('readConfigText: only a regular file of reasonable size', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'alma-sis-readconfig-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused = (path: string, reason: RegExp) => ({ name: 'ConfigError', message: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the file: ${reason.source}`) });

  it('reads a regular file, including one of exactly the limit', async () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, '{"a": "é"}');
    assert.equal(await readConfigText(path), '{"a": "é"}');
    const atLimit = join(dir, 'limit.json');
    writeFileSync(atLimit, '');
    truncateSync(atLimit, MAX_CONFIG_BYTES);
    assert.equal((await readConfigText(atLimit)).length, MAX_CONFIG_BYTES);
  });

  it('refuses a device that never ends (/dev/zero) at once, for the configuration and for code tables', { skip: existsSync('/dev/zero') ? undefined : 'no /dev/zero here' }, async () => {
    await assert.rejects(readConfigText('/dev/zero'), refused('/dev/zero', /it is not a regular file/));
    await assert.rejects(loadCodeTables('/dev/zero'), refused('/dev/zero', /it is not a regular file/));
  });

  it('refuses a FIFO without waiting for a writer', { skip: missingTool('mkfifo', 'coreutils', ['--version']) }, async () => {
    const fifo = join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readConfigText(fifo), refused(fifo, /it is not a regular file/));
  });

  it('refuses a file over the limit without reading it, and a folder', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_CONFIG_BYTES + 1); // sparse: nothing is written to disk
    await assert.rejects(readConfigText(big), refused(big, /it is larger than 10 MB/));
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    await assert.rejects(readConfigText(folder), refused(folder, /it is a folder, not a file/));
  });
});
