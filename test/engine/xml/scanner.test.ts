import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmlScanner, MAX_KEPT_BYTES, type ScanSink } from '../../../server/src/engine/xml/scanner';
import type { Span } from '../../../server/src/engine/text/span';

/** Records every event as a line of text, so two runs can be compared exactly. */
function scan(bytes: Uint8Array, chunkSize = bytes.length || 1): { events: string[]; problems: string[] } {
  const events: string[] = [];
  const problems: string[] = [];
  const at = (s: Span) => `${s.line}:${s.col}-${s.endLine}:${s.endCol}`;
  const sink: ScanSink = {
    xmlDeclaration: (d) => events.push(`decl ${d.version} ${d.encoding} ${d.encodingSpan ? at(d.encodingSpan) : ''}`),
    startTag: (t) =>
      events.push(`start ${t.name} ${t.line}:${t.col}${t.selfClosing ? ' /' : ''} ${t.attributes.map((a) => `${a.name}@${at(a.nameSpan)}=${JSON.stringify(a.value)}@${at(a.valueSpan)}${a.truncated ? '!' : ''}`).join(' ')}`),
    endTag: (name) => events.push(`end ${name}`),
    text: (t) => events.push(`text ${JSON.stringify(t.value())} ${t.line}:${t.col}-${t.endLine}:${t.endCol} ${t.byteLength}${t.plainAscii ? ' ascii' : ''}${t.cdata ? ' cdata' : ''}`),
    problem: (rule, span, detail) => problems.push(`${rule} ${at(span)} ${detail}`),
  };
  const scanner = new XmlScanner(sink);
  for (let off = 0; off < bytes.length; off += chunkSize) scanner.write(bytes.subarray(off, Math.min(bytes.length, off + chunkSize)));
  scanner.end();
  return { events, problems };
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const rules = (problems: string[]) => problems.map((p) => p.split(' ').slice(0, 2).join(' '));

const MIXED = utf8(
  '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<users>\r\n' +
    '  <user a="x &amp; y" b=\'é日\'>\r\n' +
    '    <first_name>  Zoë 日本 &amp; 😀  </first_name>\n' +
    '    <!-- a comment -- with dashes -->\n' +
    '    <note><![CDATA[ <raw> & ]]></note>\r' +
    '    <x>a &lt; b &#x41;&#66;</x><empty/>\n' +
    '    <bad attr=unquoted>t</bad><y>a & b</y><z>&lol;</z>\n' +
    '  </user>\n' +
    '</users>\n',
);

test('events and problems do not depend on where chunks are cut', () => {
  // The second and third inputs came from fuzzing: a BOM split over chunks, and a bare & in text
  // with the chunk ending inside what looked like an entity reference.
  const inputs = [MIXED, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), MIXED]), utf8('<users><user_group>STU&DENT</user_group></users>')];
  for (const input of inputs) {
    const whole = scan(input);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) {
      assert.deepEqual(scan(input, size), whole, `chunk size ${size}`);
    }
  }
});

test('positions are 0-based lines and UTF-16 columns, for CRLF, CR and multi-byte characters', () => {
  const { events } = scan(MIXED);
  assert.ok(events.includes('start user 2:3 a@2:8-2:9="x & y"@2:11-2:20 b@2:22-2:23="é日"@2:25-2:27'), events.join('\n'));
  // "Zoë 日本 & 😀": ë and 日本 are one unit each, &amp; five, 😀 two; trailing spaces trimmed.
  assert.ok(events.includes('text "Zoë 日本 & 😀" 3:18-3:33 22'), events.join('\n'));
  // A lone CR ends line 5, so <x> starts line 6.
  assert.ok(events.includes('start x 6:5 '), events.join('\n'));
  assert.ok(events.includes('text "a < b AB" 6:7-6:27 20'), events.join('\n'));
  assert.ok(events.includes('text "<raw> &" 5:19-5:28 9 ascii cdata'), events.join('\n'));
  assert.ok(events.includes('start empty 6:32 / '));
});

test('well-formedness problems carry precise spans and scanning goes on', () => {
  const { problems, events } = scan(MIXED);
  assert.deepEqual(rules(problems), ['xml-syntax 7:14-7:15', 'xml-syntax 7:35-7:36', 'xml-syntax 7:45-7:50']);
  assert.match(problems[0], /must be in quotes/);
  assert.match(problems[1], /bare "&"/);
  assert.match(problems[2], /"&lol;" is not defined/);
  assert.ok(events.includes('end users'), 'the document is scanned to its end');
});

test('mismatched and unclosed tags are reported and the events stay balanced', () => {
  const { events, problems } = scan(utf8('<users>\n<user><a></user>\n<b></c>\n</users><x/>\n<user>'));
  assert.deepEqual(rules(problems), [
    'xml-syntax 1:7-1:8', // <a> not closed before </user>
    'xml-syntax 2:5-2:6', // </c> is taken as a misspelt </b>
    'xml-syntax 3:9-3:10', // second root <x>
    'xml-syntax 4:1-4:5', // second root <user>
    'xml-syntax 4:1-4:5', // <user> never closed
  ]);
  assert.match(problems[1], /<\/c> does not match the open element <b>/);
  const starts = events.filter((e) => e.startsWith('start')).length;
  const ends = events.filter((e) => e.startsWith('end')).length;
  assert.equal(starts, ends);
});

test('a misspelt end tag closes its element; an unrelated stray one is ignored', () => {
  const { events, problems } = scan(utf8('<users><user><last_name>N</lastname><user_group>S</user_group></address></user></users>'));
  assert.deepEqual(rules(problems), ['xml-syntax 0:27-0:35', 'xml-syntax 0:64-0:71']);
  assert.match(problems[1], /<\/address> matches no open element \(the open element is <user>\)/);
  // user_group is a sibling of last_name, not its child.
  assert.deepEqual(events.filter((e) => /^(start|end) (last_name|user_group)/.test(e)).map((e) => e.split(' ').slice(0, 2).join(' ')),
    ['start last_name', 'end last_name', 'start user_group', 'end user_group']);
});

test('truncated input: every way of ending early is reported, never thrown', () => {
  const cases: [string, RegExp][] = [
    ['<users><user><first_name>An', /<first_name> is never closed/],
    ['<users><user a="x', /value of attribute a is never closed/],
    ['<users><user', /tag <user> is not closed/],
    ['<users><!-- note', /inside a comment/],
    ['<users><![CDATA[ x', /inside a CDATA section/],
    ['<?xml version="1.0"', /processing instruction/],
    ['<users>caf\xc3', /middle of a UTF-8 character/],
    ['', /no root element/],
  ];
  for (const [text, expected] of cases) {
    const { problems } = scan(Buffer.from(text, 'latin1'));
    assert.ok(problems.some((p) => expected.test(p)), `${JSON.stringify(text)}: ${problems.join(' | ')}`);
  }
});

test('encoding: invalid UTF-8 is located, UTF-16 is refused, and columns stay in step', () => {
  // "é" written as Latin-1 0xE9 followed by ASCII: the byte is reported where it stands.
  const latin1 = Buffer.concat([utf8('<users><a>caf'), Buffer.from([0xe9]), utf8(' ok</a>\n<b>'), Buffer.from([0xc0, 0x80]), utf8('</b></users>')]);
  const { problems } = scan(latin1);
  assert.deepEqual(rules(problems), ['encoding 0:13-0:14', 'encoding 1:3-1:4', 'encoding 1:4-1:5']);
  assert.match(problems[0], /0xE9/);
  const utf16 = scan(Buffer.from('\ufeff<users/>', 'utf16le'));
  assert.deepEqual(rules(utf16.problems), ['encoding 0:0-0:1']);
  assert.match(utf16.problems[0], /UTF-16/);
  assert.deepEqual(utf16.events, []);
});

test('declared encodings and the XML declaration are reported with the value span', () => {
  const { events } = scan(utf8('<?xml version="1.0" encoding="ISO-8859-1"?><users/>'));
  assert.equal(events[0], 'decl 1.0 ISO-8859-1 0:30-0:40');
  const late = scan(utf8('\n <?xml version="1.0"?><users/>'));
  assert.deepEqual(rules(late.problems), ['bom 0:0-1:1']);
});

test('BOM, forbidden characters and character references', () => {
  const bom = scan(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('<users/>')]));
  assert.deepEqual(rules(bom.problems), ['bom 0:0-0:1']);
  assert.ok(bom.events.includes('start users 0:1 / '), 'columns start after the BOM');
  const chars = scan(utf8('<users>a\u000bb &#1; &#x1F600; \uFFFE</users>'));
  assert.deepEqual(rules(chars.problems), ['invalid-char 0:8-0:9', 'invalid-char 0:11-0:15', 'invalid-char 0:26-0:27']);
});

test('a DOCTYPE is refused and its entities are never expanded (billion laughs)', () => {
  let doc = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n';
  for (let i = 1; i <= 9; i++) doc += ` <!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">\n`;
  doc += ']>\n<users><user><first_name>&lol9;</first_name></user></users>\n';
  const { events, problems } = scan(utf8(doc));
  assert.deepEqual(rules(problems), ['doctype 1:0-1:9', 'xml-syntax 13:25-13:31']);
  assert.ok(events.includes('text "&lol9;" 13:25-13:31 6'), events.join('\n'));
});

test('deep nesting is handled without recursion', () => {
  const depth = 200_000;
  const { events, problems } = scan(utf8('<a>'.repeat(depth) + '</a>'.repeat(depth)), 1 << 16);
  assert.equal(problems.length, 0);
  assert.equal(events.length, depth * 2);
});

test('a huge attribute or text is cut at MAX_KEPT_BYTES, flagged, and positioned', () => {
  const big = 'x'.repeat(MAX_KEPT_BYTES + 5000);
  const doc = utf8(`<users a="${big}"><t>${big}</t></users>`);
  let attrValue = '';
  let truncated = false;
  let textLength = 0;
  let textTruncated = false;
  let textEnd = 0;
  const scanner = new XmlScanner({
    xmlDeclaration() {},
    startTag(t) {
      if (t.attributes.length) {
        attrValue = t.attributes[0].value;
        truncated = t.attributes[0].truncated;
      }
    },
    endTag() {},
    text(t) {
      textLength = t.value().length;
      textTruncated = t.truncated;
      textEnd = t.endCol;
    },
    problem(rule, _span, detail) {
      assert.fail(`${rule}: ${detail}`);
    },
  });
  for (let off = 0; off < doc.length; off += 65536) scanner.write(doc.subarray(off, off + 65536));
  scanner.end();
  assert.equal(attrValue.length, MAX_KEPT_BYTES);
  assert.ok(truncated);
  assert.equal(textLength, MAX_KEPT_BYTES);
  assert.ok(textTruncated);
  assert.equal(textEnd, `<users a="${big}"><t>${big}`.length);
});

test('binary input ends promptly with problems and balanced events', () => {
  // A deterministic pseudo-random megabyte with plenty of '<' and '&'.
  const bytes = Buffer.alloc(1 << 20);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0x3c;
  const { events, problems } = scan(bytes, 1 << 16);
  assert.ok(problems.length > 100);
  const starts = events.filter((e) => e.startsWith('start')).length;
  const ends = events.filter((e) => e.startsWith('end')).length;
  assert.equal(starts, ends);
});

test('names that start or continue with non-ASCII letters are decoded, not interned as bytes', () => {
  const { events, problems } = scan(utf8('<données élément="é"><élève>x</élève></données>'), 4);
  assert.deepEqual(problems, []);
  assert.deepEqual(events.filter((e) => e.startsWith('start') || e.startsWith('end')).map((e) => e.split(' ').slice(0, 2).join(' ')),
    ['start données', 'start élève', 'end élève', 'end données']);
  assert.ok(events[0].includes('élément@0:9-0:16="é"'), events[0]);
});
