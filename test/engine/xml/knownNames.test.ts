import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmlScanner, type ScanSink } from '../../../server/src/engine/xml/scanner';
import type { Span } from '../../../server/src/engine/text/span';
import { describeMutant, fuzzSeed, mutant, randomFor, sampleFiles, utf8, type Random } from '../../helpers/userFileMutator';

/**
 * The scanner compares a tag's name, an end tag and a whole attribute with the ones that came at
 * that place last time, and reads them the general way only when they differ. These tests hold
 * that way to the general one (`compareKnown: false`), event for event and position for position,
 * on inputs made to be learnt and then broken: users repeated, then bytes changed in the later
 * copies, cut into chunks of every size.
 */

interface Trace {
  events: string[];
  problems: string[];
}

function scan(bytes: Uint8Array, chunkSize: number, compareKnown: boolean): Trace {
  const events: string[] = [];
  const problems: string[] = [];
  const at = (s: Span) => `${s.line}:${s.col}-${s.endLine}:${s.endCol}`;
  const sink: ScanSink = {
    xmlDeclaration: (d) => events.push(`decl ${d.version} ${d.encoding} ${d.encodingSpan ? at(d.encodingSpan) : ''} ${at(d.span)}`),
    startTag: (t) =>
      events.push(`start ${t.name} ${t.line}:${t.col}${t.selfClosing ? ' /' : ''} ${t.attributes.map((a) => `${a.name}@${at(a.nameSpan)}=${JSON.stringify(a.value)}@${at(a.valueSpan)}${a.truncated ? '!' : ''}`).join(' ')}`),
    endTag: (name) => events.push(`end ${name}`),
    text: (t) => events.push(`text ${JSON.stringify(t.value())} ${t.line}:${t.col}-${t.endLine}:${t.endCol} ${t.byteLength}${t.plainAscii ? ' ascii' : ''}${t.cdata ? ' cdata' : ''}${t.truncated ? ' cut' : ''}`),
    problem: (rule, span, detail) => problems.push(`${rule} ${at(span)} ${detail}`),
  };
  const scanner = new XmlScanner(sink, undefined, { compareKnown });
  for (let off = 0; off < bytes.length; off += chunkSize) {
    scanner.write(bytes.subarray(off, Math.min(bytes.length, off + chunkSize)));
    const between = scanner.betweenTags();
    events.push(`chunk ${between ? `${between.line}:${between.col}` : '-'}`);
  }
  scanner.end();
  return { events, problems };
}

function assertSame(bytes: Uint8Array, chunkSize: number, what: string): void {
  const general = scan(bytes, chunkSize, false);
  const known = scan(bytes, chunkSize, true);
  for (let k = 0; k < Math.max(general.events.length, known.events.length); k++) {
    if (general.events[k] !== known.events[k]) {
      assert.fail(`${what}, chunks of ${chunkSize}: event ${k} differs\n  general: ${general.events[k]}\n  known:   ${known.events[k]}`);
    }
  }
  assert.deepEqual(known.problems, general.problems, `${what}, chunks of ${chunkSize}: problems differ`);
}

/** The file with its users written `times` times over: what makes the scanner expect names. */
function repeatUsers(text: string, times: number): string {
  const first = text.search(/<(?:[\w]+:)?user(?:Record)?[\s>/]/);
  const lastEnd = Math.max(text.lastIndexOf('</user>'), text.lastIndexOf('</userRecord>'));
  if (first < 0 || lastEnd < first) return text;
  const end = text.indexOf('>', lastEnd) + 1;
  return text.slice(0, end) + text.slice(first, end).repeat(times - 1) + text.slice(end);
}

/** Bytes that decide what a tag or an attribute is, and bytes the general way reports. */
const BYTES = [
  '<', '>', '/', '=', '"', "'", '&', ' ', '\t', '\n', '\r', '\r\n', '-', '_', ':', '.', 'a', 'Z', '0',
  '\u0001', '\u000b', '\u007f', '\u0080', '\u00ff', utf8('é'), utf8('日'), utf8('😀'), '\u00c3', '\u00ef\u00bb\u00bf', '<!--', '-->', '<![CDATA[', ']]>', '&amp;', '&#65;',
];

/** One to six changes, each in the second half of the text, where the names are expected. */
function breakLater(text: string, random: Random): [string, string[]] {
  const done: string[] = [];
  const count = 1 + random.int(6);
  for (let k = 0; k < count; k++) {
    const at = (text.length >> 1) + random.int(Math.max(1, text.length - (text.length >> 1)));
    const choice = random.int(4);
    if (choice === 0) {
      const bytes = random.pick(BYTES);
      text = text.slice(0, at) + bytes + text.slice(at);
      done.push(`insert ${JSON.stringify(bytes)} at ${at}`);
    } else if (choice === 1) {
      const length = 1 + random.int(3);
      text = text.slice(0, at) + text.slice(at + length);
      done.push(`delete ${length} at ${at}`);
    } else if (choice === 2) {
      const bytes = random.pick(BYTES);
      text = text.slice(0, at) + bytes + text.slice(at + 1);
      done.push(`replace at ${at} with ${JSON.stringify(bytes)}`);
    } else {
      // The same name or value made longer or shorter by a letter, right where it is expected.
      const next = text.indexOf(random.chance(0.5) ? '<' : '="', at);
      if (next < 0) continue;
      const where = next + (text[next] === '<' ? 1 : 2) + random.int(8);
      text = random.chance(0.5) ? text.slice(0, where) + 'x' + text.slice(where) : text.slice(0, where) + text.slice(where + 1);
      done.push(`a name or value changed by a letter at ${where}`);
    }
  }
  return [text, done];
}

test('comparing with the names expected reads every sample exactly as the general way does, whatever the chunks', () => {
  for (const sample of sampleFiles()) {
    const repeated = Buffer.from(repeatUsers(sample.bytes.toString('latin1'), 3), 'latin1');
    for (const size of [repeated.length || 1, 1, 2, 3, 5, 8, 13, 64, 4096]) {
      assertSame(sample.bytes, size, sample.name);
      assertSame(repeated, size, `${sample.name} (users three times)`);
    }
  }
});

test('learnt names, attributes and values that then change are read as the general way reads them', () => {
  const cases: Record<string, string> = {
    'a longer name': '<users><user><a b="1">x</a><a b="1">x</a><ab b="1">x</ab><a b="1">x</a></user></users>',
    'a shorter name': '<users><user><ab>x</ab><ab>x</ab><a>x</a></user></users>',
    'a space, a tab, a line break, a CR or a slash after the name': '<users><u><a>1</a><a>2</a><a >3</a><a\t>4</a><a\n>5</a><a\r\n>6</a><a/><a\r>7</a></u></users>',
    'a control character or a stray byte after the name': '<users><u><a>1</a><a>2</a><a\u0001>3</a><a\u0080>4</a><a\u00c3\u00a9>5</a></u></users>',
    'an end tag with a space, another name or a bad character': '<users><u><a>1</a><a>2</a ><a>3</ab><a>4</a\u0001><a>5</A></u></users>',
    'an attribute with another value, quote or spacing': '<users><u><a b="x" c="y"/><a b="x" c="y"/><a b=\'x\' c="y"/><a b="xy" c="y"/><a b = "x" c="y"/><a b="x"c="y"/><a b="x" c="y"/></u></users>',
    'an attribute given twice, or left without a value': '<users><u><a b="x" c="y"/><a b="x" b="x"/><a b="x" c/><a b="x" c=/><a b="x" c=y/></u></users>',
    'values with entities, control characters, tabs and quotes': '<users><u><a b="x&amp;y"/><a b="x&amp;y"/><a b="x\ty"/><a b="x\ty"/><a b="x\u0001"/><a b="x\u0001"/><a b=\'x"y\'/><a b=\'x"y\'/><a b="&#65;"/><a b="A"/></u></users>',
    'non-ASCII names and values': `<users><u><${utf8('é')} ${utf8('ü')}="${utf8('日')}"/><${utf8('é')} ${utf8('ü')}="${utf8('日')}"/><a b="${utf8('é')}"/><a b="${utf8('é')}"/></u></users>`,
    'a name or an attribute at the end of the input': '<users><u><a b="x"/><a b="x"/><a b="x"/><a',
    'more attributes than are kept': `<users><u><a ${Array.from({ length: 70 }, (_, k) => `n${k}="v"`).join(' ')}/><a ${Array.from({ length: 70 }, (_, k) => `n${k}="v"`).join(' ')}/></u></users>`,
    'end tags out of order and too deep': `<users>${'<d>'.repeat(70)}${'</d>'.repeat(71)}<u><a>1</a><b>2</a></b></u></users>`,
  };
  for (const [what, text] of Object.entries(cases)) {
    const bytes = Buffer.from(text, 'latin1');
    for (const size of [bytes.length, 1, 2, 3, 4, 5, 7, 11]) assertSame(bytes, size, what);
  }
});

test('fuzzed: samples with their users repeated and then broken, and mutants of the samples, in chunks of random sizes', () => {
  const samples = sampleFiles();
  const seed = fuzzSeed();
  const count = Number(process.env.ALMA_SIS_KNOWN_NAMES_COUNT) || 3000;
  for (let index = 0; index < count; index++) {
    const random = randomFor(seed ^ 0x5ca7, index);
    let bytes: Buffer;
    let what: string;
    if (random.chance(0.5)) {
      const base = random.pick(samples);
      const [text, done] = breakLater(repeatUsers(base.bytes.toString('latin1'), 2 + random.int(3)), random);
      bytes = Buffer.from(text, 'latin1');
      what = `seed ${seed}, case ${index}: ${base.name} with users repeated, then ${done.join('; ')}`;
    } else {
      const m = mutant(samples, seed, index);
      const [text, done] = breakLater(repeatUsers(m.bytes.toString('latin1'), 2), random);
      bytes = Buffer.from(text, 'latin1');
      what = `${describeMutant(m)}; users repeated, then ${done.join('; ')}`;
    }
    const size = random.chance(0.3) ? bytes.length || 1 : 1 + random.int(random.chance(0.5) ? 16 : 512);
    assertSame(bytes, size, what);
  }
});
