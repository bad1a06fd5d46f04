import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonBytes } from '../../server/src/lsp/jsonBytes';
import { BYTES_PARSE_FROM, parseMessageBody } from '../../server/src/lsp/bodyReader';
import { fuzzSeed, randomFor, type Random } from '../helpers/userFileMutator';

/*
 * The big messages' parser against JSON.parse: the same value for every JSON text (long strings,
 * which it unescapes in place, included), and a SyntaxError for what is not JSON.
 */

/** Pieces a string is made of: plain text, every escape JSON has, characters of 1 to 4 UTF-8 bytes, and surrogates alone. */
const PIECES = ['a', 'user ', '<first_name>', '\n', '\r\n', '\t', '"', '\\', '/', '\b', '\f', 'é', 'Nguyễn', '王', '😀', '\u0000', '\u001f', '\u2028', '\ud800', '\udfff', 'x'.repeat(300)];

function randomString(random: Random, pieces: number): string {
  let text = '';
  for (let k = 0; k < pieces; k++) text += random.pick(PIECES);
  return text;
}

/** A JSON text for `value`, with escapes written in the ways JSON allows (\u for anything, \/ for a slash). */
function writeJson(value: unknown, random: Random): string {
  if (typeof value === 'string') {
    let out = '"';
    for (const ch of value) {
      const units = [...ch].length === 1 && ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)];
      if (random.chance(0.1)) out += units.map((u) => `\\u${u.toString(16).padStart(4, '0')}`).join('');
      else if (ch === '/' && random.chance(0.5)) out += '\\/';
      else out += JSON.stringify(ch).slice(1, -1);
    }
    return `${out}"`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => writeJson(v, random)).join(random.chance(0.5) ? ',' : ' , ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${writeJson(k, random)}${random.chance(0.5) ? ':' : ' : '}${writeJson(v, random)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function randomValue(random: Random, depth: number, long: boolean): unknown {
  const kind = depth > 3 ? random.int(4) : random.int(6);
  switch (kind) {
    case 0:
      return randomString(random, long && random.chance(0.3) ? 300 + random.int(300) : random.int(8));
    case 1:
      return random.pick([0, -0, 1, -1, 3.25, 1e21, -2.5e-7, 123456789012, 0.1]);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.int(100);
    case 4:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1, long));
    default: {
      const object: Record<string, unknown> = {};
      for (let k = random.int(4); k > 0; k--) object[randomString(random, 1 + random.int(2))] = randomValue(random, depth + 1, long);
      return object;
    }
  }
}

function sameAsJsonParse(text: string, what: string): void {
  const expected = JSON.parse(text) as unknown;
  assert.deepEqual(parseJsonBytes(Buffer.from(text, 'utf8')), expected, what);
}

test('parses what JSON.parse parses, to the same value, long strings unescaped in place included', () => {
  const seed = fuzzSeed();
  for (let index = 0; index < 2000; index++) {
    const random = randomFor(seed, index);
    const value = randomValue(random, 0, true);
    const text = writeJson(value, random);
    sameAsJsonParse(random.chance(0.2) ? ` \n\t${text}\r\n ` : text, `seed ${seed}, value ${index}: ${text.slice(0, 200)}`);
  }
});

test('a long string with every escape, 4-byte characters and surrogate pairs written as \\u, and one with a lone surrogate', () => {
  const long = `${'Ngata é 王 😀 "quoted" back\\slash /\r\n\t'.repeat(5000)}`;
  sameAsJsonParse(JSON.stringify({ text: long }), 'JSON.stringify');
  sameAsJsonParse(`{"text":"${'\\ud83d\\ude00\\u00e9\\u0041\\/'.repeat(20000)}"}`, 'all \\u escapes');
  sameAsJsonParse(`{"text":"${'a\\n'.repeat(40000)}\\ud800${'b'.repeat(10)}"}`, 'a lone high surrogate');
  sameAsJsonParse(`{"text":"${'a\\n'.repeat(40000)}\\udc00"}`, 'a lone low surrogate at the end');
  sameAsJsonParse(`{"text":"${'a\\n'.repeat(40000)}\\ud800\\n"}`, 'a high surrogate before another escape');
});

test('keys as JSON.parse sets them: __proto__ an own property, the last of two equal keys wins', () => {
  const parsed = parseJsonBytes(Buffer.from('{"__proto__":{"polluted":1},"a":1,"a":2}')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['__proto__', 'a']);
  assert.equal(parsed.a, 2);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
});

test('what is not JSON is a SyntaxError, as JSON.parse says', () => {
  const bad = ['', '{', '{"a":}', '{"a" 1}', '[1,]', '[1 2]', '01', '1.', '-', '+1', '.5', '1e', 'tru', 'nul', '"abc', '"a\u0001b"', '"\\x41"', '"\\u12G4"', '{"a":1}x', "{'a':1}", 'NaN', '[' .repeat(600) + ']'.repeat(600)];
  for (const text of bad) {
    if (text.startsWith('[[')) {
      // Deeper than a message ever is: refused here, where JSON.parse would go on.
      assert.throws(() => parseJsonBytes(Buffer.from(text)), SyntaxError);
      continue;
    }
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    assert.throws(() => parseJsonBytes(Buffer.from(text)), SyntaxError, JSON.stringify(text));
  }
  // A bad escape in a long string is found while it is rewritten.
  assert.throws(() => parseJsonBytes(Buffer.from(`"${'a\\n'.repeat(40000)}\\q"`)), SyntaxError);
});

test('a message body: JSON.parse below the size where bytes are parsed, the byte parser from it on, the same value', () => {
  const text = 'Tama Ngata é 王 😀\r\n'.repeat(Math.ceil(BYTES_PARSE_FROM / 20));
  const message = { jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///big.xml', languageId: 'xml', version: 1, text } } };
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  assert.ok(body.length >= BYTES_PARSE_FROM);
  assert.deepEqual(parseMessageBody(body), message);
  assert.deepEqual(parseMessageBody(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: null }))), { jsonrpc: '2.0', id: 1, result: null });
});
