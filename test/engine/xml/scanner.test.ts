import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmlScanner, MAX_KEPT_BYTES, MAX_ATTRIBUTES, MAX_DEPTH, MAX_SCAN_PROBLEMS, type ScanSink } from '../../../server/src/engine/xml/scanner';
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

const IGNORE: ScanSink = { xmlDeclaration() {}, startTag() {}, endTag() {}, text() {}, problem() {} };

/** Like scan, also handing back the scanner to look at what it keeps. */
function scanWith(bytes: Uint8Array, chunkSize: number): { scanner: XmlScanner; events: string[]; problems: string[] } {
  const events: string[] = [];
  const problems: string[] = [];
  const scanner = new XmlScanner({
    ...IGNORE,
    startTag: (t) => events.push(`start ${t.name}`),
    endTag: (name) => events.push(`end ${name}`),
    problem: (rule, s, detail) => problems.push(`${rule} ${s.line}:${s.col}-${s.endLine}:${s.endCol} ${detail}`),
  });
  for (let off = 0; off < bytes.length; off += chunkSize) scanner.write(bytes.subarray(off, Math.min(bytes.length, off + chunkSize)));
  scanner.end();
  return { scanner, events, problems };
}

/** The scanner's per-level state: it must stay within MAX_DEPTH entries. */
function openNamesOf(scanner: XmlScanner): string[] {
  return (scanner as unknown as { openNames: string[] }).openNames;
}
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

test('plain ASCII text: inner spaces kept, spaces and indentation around it trimmed, its end on its last line', () => {
  const input = utf8(
    '<users>\n' +
      '  <user>\n' +
      '    <line1>12  High   Street   </line1>\n' +
      '    <note>   first  \n' +
      '      second line    \n' +
      '    </note>\n' +
      '\t<city>  Leeds</city>  \n' +
      '      <x>a b</x>\n' +
      '            <deep>z</deep>\n' +
      '  </user>\n' +
      '</users>\n',
  );
  const texts = (events: string[]) => events.filter((e) => e.startsWith('text '));
  const expected = [
    'text "12  High   Street" 2:11-2:28 17 ascii',
    'text "first  \\n      second line" 3:13-4:17 25 ascii',
    'text "Leeds" 6:9-6:14 5 ascii',
    'text "a b" 7:9-7:12 3 ascii',
    'text "z" 8:18-8:19 1 ascii',
  ];
  for (const size of [input.length, 1, 2, 3, 7, 16]) {
    const { events, problems } = scan(input, size);
    assert.deepEqual(texts(events), expected, `chunk size ${size}`);
    assert.deepEqual(problems, []);
    assert.ok(events.includes('start x 7:7 '), `chunk size ${size}: ${events.join('\n')}`);
    assert.ok(events.includes('start city 6:2 '), `chunk size ${size}: ${events.join('\n')}`);
    assert.ok(events.includes('start deep 8:13 '), `chunk size ${size}: ${events.join('\n')}`);
  }
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

test('after bytes that are not UTF-8, columns are those an editor shows (one U+FFFD per bad sequence), and a text of such bytes has an end', () => {
  // The fuzz test (test/engine/fuzz) found a text made of a stray continuation byte reported with
  // a range that ended before it started, and the columns after such bytes off by one; this test
  // then found a valid character after a cut-short E0 sequence reported as invalid.
  const pool = [
    [0x61], [0x20], [0xc3, 0xa9], [0xe6, 0x97, 0xa5], [0xf0, 0x9f, 0x98, 0x80], // a, space, é, 日, 😀
    [0x80], [0xbf], [0xa3], [0x93], [0xc0], [0xc1], [0xf5], [0xf8], [0xff], // stray continuation bytes, bytes never in UTF-8
    [0xc3], [0xe2, 0x82], [0xf0, 0x9f], [0xf0, 0x9f, 0x98], [0xf4, 0x90], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0xaf], // cut short, surrogates, overlong
  ];
  let x = 7;
  const random = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  for (let n = 0; n < 500; n++) {
    const junk = Buffer.from(Array.from({ length: 1 + random(6) }, () => pool[random(pool.length)]).flat());
    const bytes = Buffer.concat([utf8('<users><a>'), junk, utf8('</a><b x="'), junk, utf8('">t</b><c/></users>')]);
    const { events, problems } = scan(bytes, 1 + random(5));
    const decoded = new TextDecoder('utf-8').decode(bytes);
    const shown = new TextDecoder('utf-8').decode(junk);
    const text = events.find((e) => e.startsWith('text '))!;
    if (shown.trim() === '') {
      assert.match(text, /^text "t" /, `${junk.toString('hex')}: white space is no text`);
    } else {
      // Spaces are trimmed: the text runs from its first to its last character that is not one.
      const first = 10 + shown.length - shown.trimStart().length;
      const last = 10 + shown.trimEnd().length;
      assert.match(text, new RegExp(` 0:${first}-0:${last} `), `${junk.toString('hex')}: ${text}`);
    }
    const replacements = [...shown].filter((ch) => ch === '\ufffd').length;
    assert.equal(problems.filter((p) => p.startsWith('encoding')).length, 2 * replacements, `${junk.toString('hex')}: one encoding problem per U+FFFD, in the text and in the attribute`);
    const c = events.find((e) => e.startsWith('start c'));
    assert.equal(c, `start c 0:${decoded.indexOf('<c/>') + 1} / `, `${junk.toString('hex')} (${shown.length} columns)`);
  }
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

test('past MAX_DEPTH levels: reported once, nothing kept or passed on per level, and the end still matches', () => {
  const run = (depth: number) => {
    const { scanner, events, problems } = scanWith(utf8(`<users>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</users>`), 1 << 16);
    return { events, problems, kept: openNamesOf(scanner).length };
  };
  const small = run(1_000);
  const large = run(200_000);
  // The same events and problems at 1k and 200k levels: nothing grows with the depth.
  assert.deepEqual(large.events, small.events);
  assert.deepEqual(large.problems, small.problems);
  assert.ok(large.kept <= MAX_DEPTH, `${large.kept} levels kept`);
  assert.equal(small.events.filter((e) => e.startsWith('start')).length, MAX_DEPTH);
  assert.equal(small.events.at(-1), 'end users', 'the end tags below the cap were counted off, so </users> closes the root');
  assert.deepEqual(rules(small.problems), [`xml-syntax 0:${7 + 3 * (MAX_DEPTH - 1) + 1}-0:${7 + 3 * (MAX_DEPTH - 1) + 2}`]);
  assert.match(small.problems[0], /nested more than 64 deep/);
});

test('unmatched end tags under a deep stack: each looks through at most MAX_DEPTH open names', () => {
  const n = 100_000;
  const { scanner, events, problems } = scanWith(utf8(`<users><user>${'<aaaa>'.repeat(n)}${'</zzzz>'.repeat(n)}`), 1 << 16);
  assert.ok(openNamesOf(scanner).length <= MAX_DEPTH);
  const starts = events.filter((e) => e.startsWith('start')).length;
  assert.equal(starts, MAX_DEPTH);
  assert.equal(events.filter((e) => e.startsWith('end')).length, starts);
  assert.match(problems.find((p) => /matches no open element/.test(p)) ?? '', /<\/zzzz> matches no open element \(the open element is <aaaa>\)/);
  assert.ok(problems.length <= MAX_SCAN_PROBLEMS);
});

test('a tag with 100,000 attributes: the first MAX_ATTRIBUTES are kept, the rest reported once and skipped', () => {
  const attributes = Array.from({ length: 100_000 }, (_, i) => ` a${i}="v"`).join('');
  let seen = -1;
  const problems: string[] = [];
  const scanner = new XmlScanner({ ...IGNORE, startTag: (t) => (seen = t.attributes.length), problem: (_r, _s, d) => problems.push(d) });
  scanner.write(utf8(`<users${attributes}/>`));
  scanner.end();
  assert.equal(seen, MAX_ATTRIBUTES);
  assert.deepEqual(problems, [`<users> has more than ${MAX_ATTRIBUTES} attributes; a${MAX_ATTRIBUTES} and those after it are not read.`]);
  assert.ok((scanner as unknown as { attributePool: unknown[] }).attributePool.length <= MAX_ATTRIBUTES);
  // Duplicates among the kept ones are still found, and the next tag starts afresh.
  const dup = scan(utf8('<users a="1" b="2" a="3"><u a="1"/></users>'));
  assert.deepEqual(dup.problems.map((p) => p.replace(/^\S+ \S+ /, '')), ['Attribute a appears twice on <users>.']);
  // One attribute repeated 100,000 times (duplicates are not kept, so never reach the cap above).
  const flood = scan(utf8(`<users${' a="v"'.repeat(100_000)}/>`));
  assert.equal(flood.problems.length, MAX_SCAN_PROBLEMS);
  assert.match(flood.problems.at(-1)!, new RegExp(`appears twice on <users>\\. \\(${MAX_SCAN_PROBLEMS} well-formedness problems reported; ${100_000 - 1 - MAX_SCAN_PROBLEMS} later ones`));
});

test('past MAX_SCAN_PROBLEMS nothing is formatted; the last problem reported says how many followed', () => {
  const zeros = 200_000;
  const doc = Buffer.concat([utf8('<users>'), Buffer.alloc(zeros), utf8('</users>')]);
  // describeByte formats with toString(16): count those calls while scanning.
  const original = Number.prototype.toString;
  let formatted = 0;
  Number.prototype.toString = function (this: number, radix?: number) {
    if (radix === 16) formatted++;
    return original.call(this, radix);
  };
  let result;
  try {
    result = scan(doc, 1 << 16);
  } finally {
    Number.prototype.toString = original;
  }
  assert.equal(result.problems.length, MAX_SCAN_PROBLEMS);
  assert.ok(formatted > 0 && formatted <= MAX_SCAN_PROBLEMS, `${formatted} messages formatted`);
  assert.match(result.problems.at(-1)!, new RegExp(`${MAX_SCAN_PROBLEMS} well-formedness problems reported; ${zeros - MAX_SCAN_PROBLEMS} later ones in this file are not`));
  assert.equal(result.problems.filter((p) => /later ones/.test(p)).length, 1);
});

test('a comment or a quoted string holding "]>" in a DOCTYPE internal subset does not end it', () => {
  const doc = `<!DOCTYPE users [\n <!-- a ]> b's "c --> <!ENTITY x "]>"> <!ENTITY y ']>'> <!---->\n]>\n<users/>`;
  const { events, problems } = scan(utf8(doc));
  assert.deepEqual(rules(problems), ['doctype 0:0-0:9']);
  assert.deepEqual(events, ['start users 3:1 / ', 'end users']);
  // Chunk boundaries inside "<!--" do not matter.
  for (const size of [1, 2, 3]) assert.deepEqual(scan(utf8(doc), size), { events, problems });
});

test('a processing instruction holding "]>", ">" or quotes in a DOCTYPE internal subset does not end it', () => {
  const doc = `<!DOCTYPE users [\n <?pi a ]> b's "c > ?> <!ENTITY x "y"> <??> <?p ?\n?> <?q]>?>\n]>\n<users/>`;
  const { events, problems } = scan(utf8(doc));
  // Reported as a DOCTYPE only: no text before the root, nothing expanded.
  assert.deepEqual(rules(problems), ['doctype 0:0-0:9']);
  assert.deepEqual(events, ['start users 4:1 / ', 'end users']);
  // Chunk boundaries inside "<?", "?>" and the PI's body do not matter.
  for (const size of [1, 2, 3, 5, 7]) assert.deepEqual(scan(utf8(doc), size), { events, problems }, `chunks of ${size}`);
  // "<?>" is not a whole PI: its "?" opens it, so the "]>" after it is still inside.
  const open = scan(utf8('<!DOCTYPE users [ <?> ]> <users/>'));
  assert.deepEqual(open.events, []);
  assert.deepEqual(rules(open.problems).slice(0, 2), ['doctype 0:0-0:9', 'xml-syntax 0:0-0:9']);
  assert.match(open.problems[1], /ends inside the DOCTYPE/);
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
