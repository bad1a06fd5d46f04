import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v1Vocabulary, v2Vocabulary } from '../../server/src/engine';
import { repoRoot } from './repoRoot';

/**
 * A seeded, grammar-aware mutator of Alma user files for fuzzing the validator, the CLI and the
 * language server. It starts from the repository's samples and applies one to four mutations:
 * some keep the XML well-formed and break the record (an element duplicated, deleted, swapped,
 * moved or renamed: another case, its v1 name in a v2 file, a typo), some break the XML (a start
 * tag renamed alone, a truncation, a bare `&`, an unclosed comment or CDATA, a DOCTYPE with
 * entities), some the bytes (control characters, invalid UTF-8, BOMs, other encodings, line
 * ends), and some the size (huge values, deep nesting, hundreds of attributes or users).
 *
 * Mutant `index` of seed `seed` is always the same bytes, whatever was generated before it, so a
 * failure is reproduced from the two numbers alone: `mutant(seed, index)`.
 *
 * The text is handled as latin1 (one character per byte), so that bytes that are not UTF-8 in a
 * sample survive and every mutation can place any byte; UTF-8 text is inserted through `utf8()`.
 */

export interface Mutant {
  seed: number;
  index: number;
  /** The sample it started from (relative to samples/). */
  base: string;
  /** The mutations applied, in order, for the failure message. */
  operations: string[];
  bytes: Buffer;
}

export interface SampleFile {
  name: string;
  bytes: Buffer;
}

/** samples/valid, samples/invalid and samples/dry-run: every .xml file. */
export function sampleFiles(): SampleFile[] {
  const root = join(repoRoot(), 'samples');
  return ['valid', 'invalid', 'dry-run'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((name) => name.endsWith('.xml'))
      .sort()
      .map((name) => ({ name: `${dir}/${name}`, bytes: readFileSync(join(root, dir, name)) })),
  );
}

/** mulberry32, seeded from the seed and the index together (so that each mutant stands alone). */
export function randomFor(seed: number, index: number): Random {
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

export interface Random {
  next(): number;
  /** 0 <= value < n */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** Text as latin1 characters of its UTF-8 bytes: how UTF-8 goes into the mutated text. */
export function utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

interface Element {
  name: string;
  /** Offsets of `<`, of the end of the start tag, of the start of the end tag, and past its `>` (equal for `<x/>`). */
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  nameStart: number;
  /** Where the end tag's name starts, or -1 for an empty element. */
  closeNameStart: number;
  parent: number;
  depth: number;
}

const MARKUP = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<\?[\s\S]*?(?:\?>|$)|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>?|<(\/?)([A-Za-z_:][\w.:-]*)((?:[^<>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;

/** The elements of a text, in document order, as far as its tags can be matched (a mutant may be broken). */
function elementsOf(text: string): Element[] {
  const elements: Element[] = [];
  const open: number[] = [];
  MARKUP.lastIndex = 0;
  for (let m = MARKUP.exec(text); m; m = MARKUP.exec(text)) {
    if (m[0].length === 0) {
      MARKUP.lastIndex++;
      continue;
    }
    const name = m[2];
    if (name === undefined) continue;
    const end = m.index + m[0].length;
    if (m[1] === '/') {
      const at = open.map((i) => elements[i].name).lastIndexOf(name);
      if (at < 0) continue;
      for (const index of open.splice(at)) {
        const element = elements[index];
        if (element.name !== name) continue; // left open: no end for it
        element.closeStart = m.index;
        element.closeNameStart = m.index + 2;
        element.end = end;
      }
      continue;
    }
    const parent = open.length > 0 ? open[open.length - 1] : -1;
    const element: Element = { name, start: m.index, openEnd: end, closeStart: -1, end: -1, nameStart: m.index + 1, closeNameStart: -1, parent, depth: open.length };
    elements.push(element);
    if (m[4] === '/') {
      element.closeStart = end;
      element.end = end;
    } else {
      open.push(elements.length - 1);
    }
  }
  return elements.filter((e) => e.end >= 0);
}

const V1_NAMES = [...v1Vocabulary];
const V2_NAMES = [...v2Vocabulary];

/** The v1 name of a v2 name when there is one (primary_id -> primaryId), else a v1 name at random. */
function v1NameFor(name: string, random: Random): string {
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return v1Vocabulary.has(camel) ? camel : random.pick(V1_NAMES);
}

function v2NameFor(name: string, random: Random): string {
  const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return v2Vocabulary.has(snake) ? snake : random.pick(V2_NAMES);
}

function renamed(name: string, random: Random): string {
  switch (random.int(8)) {
    case 0: return name.toUpperCase();
    case 1: return name.charAt(0).toUpperCase() + name.slice(1);
    case 2: return [...name].map((c) => (random.chance(0.5) ? c.toUpperCase() : c)).join('');
    case 3: return v1NameFor(name, random);
    case 4: return v2NameFor(name, random);
    case 5: return random.pick(random.chance(0.5) ? V2_NAMES : V1_NAMES);
    case 6: {
      // a typo: a letter dropped or two swapped
      if (name.length < 3) return `${name}x`;
      const at = 1 + random.int(name.length - 2);
      return random.chance(0.5) ? name.slice(0, at) + name.slice(at + 1) : name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
    }
    default: return `${name}_${random.pick(['x', 'type', '2', 'é'].map(utf8))}`;
  }
}

const VALUES = [
  '', ' ', '  padded  ', 'true', 'True', 'TRUE', '1', '0', 'yes', 'false', '2027-06-30', '2027-06-30Z', '2027-13-45', '20270630', '2027-06-30T10:00:00',
  '-1', '1e999', 'NaN', 'ACTIVE', 'active', 'INACTIVE', 'STUDENT', 'student', 'External', 'external', 'Internal', 'BARCODE', 'barcode', 'PUBLIC', 'STAFF',
  '&', '&amp;', '&lt;&gt;', '&#0;', '&#x1F600;', '&#xD800;', '&unknown;', '&#;', '<', ']]>', '<![CDATA[a<b&c]]>', 'a<!-- c -->b', 'a<?pi x?>b',
  utf8('Zoë 東京 😀'), utf8('\u2028\u2029'), utf8('\uFEFF'), utf8('\uFFFE'), '\u0000', '\u0007', '\u001b[31m', '\u007f', '\t\r\n',
];

const ATTRIBUTE_NAMES = ['desc', 'preferred', 'segment_type', 'Preferred', 'Segment_Type', 'DESC', 'xmlns', 'xmlns:x', 'x:desc', 'total_record_count', 'xsi:nil', 'id', 'preferred_sms'];
const ATTRIBUTE_VALUES = ['true', 'True', 'false', '1', 'yes', 'External', 'external', 'Internal', 'INTERNAL', '', 'x', '&', '&amp;', '<', utf8('é'), 'http://com/exlibris/digitool/repository/extsystem/xmlbeans'];

const DOCTYPES = [
  '<!DOCTYPE users>',
  '<!DOCTYPE users [<!ENTITY a "b">]>',
  '<!DOCTYPE users [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE users SYSTEM "http://127.0.0.1:9/users.dtd">',
  '<!DOCTYPE users [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
  '<!DOCTYPE users [ <!-- ]> --> <?pi ]>?> ]>',
  '<!DOCTYPE users [',
];

const BREAKERS = ['&', '&amp', '&#', '<', '>', '</', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '"', "'", '=', '/>', '<!', '<!DOCTYPE', ']>', '\u0000', '\r', '\n'];

const INVALID_UTF8 = [[0x80], [0xbf], [0xc0, 0xaf], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xfe, 0xff], [0xe0, 0x80, 0xaf]];

const BOMS = ['\xEF\xBB\xBF', '\xFF\xFE', '\xFE\xFF', '\xEF\xBB\xBF\xEF\xBB\xBF', '\x00\x00\xFE\xFF'];

const DECLARATIONS = [
  '', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="UTF-16"?>',
  '<?xml version="1.1" encoding="utf-8"?>', '<?xml encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8" standalone="no"?>', '<?XML version="1.0"?>', ' <?xml version="1.0"?>',
  '<?xml version="1.0" encoding="UTF-8"?><?xml version="1.0"?>',
];

const V1_NAMESPACE = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';

type Operation = (text: string, random: Random, others: readonly SampleFile[]) => [string, string] | undefined;

/** Picks an element: `<user>`s and their descendants mostly, the root now and then. */
function someElement(elements: readonly Element[], random: Random, rootToo = false): Element | undefined {
  const candidates = rootToo ? elements : elements.filter((e) => e.depth > 0);
  return candidates.length === 0 ? undefined : random.pick(candidates);
}

function bigValue(random: Random): string {
  const size = random.pick([300, 2_001, 70_000, 300_000]);
  return random.pick(['x', utf8('é'), utf8('東'), ' ', '&amp;', 'a\n']).repeat(Math.ceil(size / 2)).slice(0, size);
}

const STRUCTURE: [string, number, Operation][] = [
  ['duplicate an element', 8, (text, random) => {
    const e = someElement(elementsOf(text), random);
    if (!e) return undefined;
    const copies = random.chance(0.05) ? 2 + random.int(200) : 1;
    return [text.slice(0, e.end) + text.slice(e.start, e.end).repeat(copies) + text.slice(e.end), `duplicate <${e.name}> x${copies}`];
  }],
  ['delete an element', 8, (text, random) => {
    const e = someElement(elementsOf(text), random);
    return e && [text.slice(0, e.start) + text.slice(e.end), `delete <${e.name}>`];
  }],
  ['swap two siblings', 6, (text, random) => {
    const elements = elementsOf(text);
    const e = someElement(elements, random);
    if (!e) return undefined;
    const siblings = elements.filter((s) => s.parent === e.parent && s !== e && (s.end <= e.start || s.start >= e.end));
    if (siblings.length === 0) return undefined;
    const s = random.pick(siblings);
    const [a, b] = e.start < s.start ? [e, s] : [s, e];
    return [text.slice(0, a.start) + text.slice(b.start, b.end) + text.slice(a.end, b.start) + text.slice(a.start, a.end) + text.slice(b.end), `swap <${a.name}> and <${b.name}>`];
  }],
  ['move an element into another', 4, (text, random) => {
    const elements = elementsOf(text);
    const e = someElement(elements, random);
    if (!e) return undefined;
    const rest = text.slice(0, e.start) + text.slice(e.end);
    const targets = elementsOf(rest).filter((t) => t.closeStart > t.openEnd);
    if (targets.length === 0) return undefined;
    const t = random.pick(targets);
    return [rest.slice(0, t.openEnd) + text.slice(e.start, e.end) + rest.slice(t.openEnd), `move <${e.name}> into <${t.name}>`];
  }],
  ['rename an element', 10, (text, random) => {
    const e = someElement(elementsOf(text), random, random.chance(0.1));
    if (!e) return undefined;
    const name = renamed(e.name, random);
    let out = text;
    if (e.closeNameStart >= 0) out = out.slice(0, e.closeNameStart) + name + out.slice(e.closeNameStart + e.name.length);
    out = out.slice(0, e.nameStart) + name + out.slice(e.nameStart + e.name.length);
    return [out, `rename <${e.name}> to <${name}>`];
  }],
  ['rename a start tag alone', 3, (text, random) => {
    const e = someElement(elementsOf(text), random);
    if (!e) return undefined;
    const name = renamed(e.name, random);
    return [text.slice(0, e.nameStart) + name + text.slice(e.nameStart + e.name.length), `rename the start tag of <${e.name}> to <${name}>`];
  }],
  ['change a value', 12, (text, random) => {
    const leaves = elementsOf(text).filter((e) => e.closeStart >= e.openEnd && !text.slice(e.openEnd, e.closeStart).includes('<'));
    if (leaves.length === 0) return undefined;
    const e = random.pick(leaves);
    const value = random.chance(0.08) ? bigValue(random) : random.pick(VALUES);
    const shown = value.length > 40 ? `${value.length} characters` : JSON.stringify(value);
    return [text.slice(0, e.openEnd) + value + text.slice(e.closeStart), `value of <${e.name}> = ${shown}`];
  }],
  ['change the attributes', 8, (text, random) => {
    const e = someElement(elementsOf(text), random, true);
    if (!e) return undefined;
    const tagEnd = text[e.openEnd - 2] === '/' ? e.openEnd - 2 : e.openEnd - 1;
    const existing = text.slice(e.nameStart + e.name.length, tagEnd);
    let attributes: string;
    let what: string;
    switch (random.int(7)) {
      case 0: attributes = ''; what = 'removed'; break;
      case 1: attributes = `${existing} ${random.pick(ATTRIBUTE_NAMES)}="${random.pick(ATTRIBUTE_VALUES)}"`; what = 'one added'; break;
      case 2: attributes = `${existing}${existing}`; what = 'doubled'; break;
      case 3: attributes = Array.from({ length: random.pick([70, 500]) }, (_, i) => ` a${i}="${i}"`).join(''); what = 'hundreds'; break;
      case 4: attributes = ` ${random.pick(ATTRIBUTE_NAMES)}=${random.pick(['x', '"x', "'x'", 'x"', '', '"a"b"', '"<"'])}`; what = 'badly quoted'; break;
      case 5: attributes = ` desc="${bigValue(random)}"`; what = 'a huge value'; break;
      default: attributes = existing.replace(/"([^"]*)"/g, (_, v: string) => `"${random.chance(0.5) ? v.toUpperCase() : v.toLowerCase()}"`).replace(/(\w+)=/g, (_, n: string) => `${random.chance(0.3) ? n.toUpperCase() : n}=`); what = 'cases changed';
    }
    return [text.slice(0, e.nameStart + e.name.length) + attributes + text.slice(tagEnd), `attributes of <${e.name}> ${what}`];
  }],
  ['nest deeply', 2, (text, random) => {
    const e = someElement(elementsOf(text), random);
    if (!e) return undefined;
    const depth = random.pick([65, 200, 5000]);
    const name = random.chance(0.5) ? e.name : 'x';
    return [text.slice(0, e.start) + `<${name}>`.repeat(depth) + text.slice(e.start, e.end) + `</${name}>`.repeat(depth) + text.slice(e.end), `<${e.name}> inside ${depth} <${name}>`];
  }],
  ['change the root', 3, (text, random) => {
    const root = elementsOf(text).find((e) => e.depth === 0);
    if (!root) return undefined;
    switch (random.int(5)) {
      case 0: return [text.slice(0, root.start) + '<userRecords>' + text.slice(root.start, root.end) + '</userRecords>' + text.slice(root.end), 'root wrapped in <userRecords>'];
      case 1: return [text.slice(0, root.nameStart + root.name.length) + ` xmlns="${V1_NAMESPACE}"` + text.slice(root.nameStart + root.name.length), 'the v1 namespace on the root'];
      case 2: return [text + text.slice(root.start, root.end), 'a second root'];
      case 3: return [text.slice(0, root.end) + random.pick(['text after', '<user/>', '&', '<!-- c -->', '\u0000']) + text.slice(root.end), 'something after the root'];
      default: return [text.replace(new RegExp(`(</?)${root.name}\\b`, 'g'), `$1p:${root.name}`), 'a prefix on the root'];
    }
  }],
  ['splice from another sample', 3, (text, random, others) => {
    const other = random.pick(others).bytes.toString('latin1');
    const piece = someElement(elementsOf(other), random);
    const target = someElement(elementsOf(text), random, true);
    if (!piece || !target) return undefined;
    return [text.slice(0, target.openEnd) + other.slice(piece.start, piece.end) + text.slice(target.openEnd), `<${piece.name}> of another sample into <${target.name}>`];
  }],
];

const BYTES: [string, number, Operation][] = [
  ['truncate', 5, (text, random) => {
    const at = random.int(text.length + 1);
    return [text.slice(0, at), `cut at ${at}`];
  }],
  ['insert what breaks XML', 8, (text, random) => {
    const at = random.int(text.length + 1);
    const what = random.pick(BREAKERS);
    return [text.slice(0, at) + what + text.slice(at), `${JSON.stringify(what)} at ${at}`];
  }],
  ['a DOCTYPE', 3, (text, random) => {
    const doctype = random.pick(DOCTYPES);
    const declaration = /^(\xEF\xBB\xBF)?<\?xml[^>]*\?>\s*/.exec(text);
    const at = random.chance(0.8) ? (declaration ? declaration[0].length : 0) : random.int(text.length + 1);
    return [text.slice(0, at) + doctype + '\n' + text.slice(at), `DOCTYPE at ${at}: ${doctype.slice(0, 40)}`];
  }],
  ['control characters', 5, (text, random) => {
    let out = text;
    const count = 1 + random.int(4);
    for (let n = 0; n < count; n++) {
      const at = random.int(out.length + 1);
      const c = random.chance(0.8) ? String.fromCharCode(random.pick([0, 1, 7, 8, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f])) : utf8(random.pick(['\uFFFE', '\uFFFF', '\u0085', '\u2028']));
      out = out.slice(0, at) + c + out.slice(at);
    }
    return [out, `${count} control characters`];
  }],
  ['invalid UTF-8', 5, (text, random) => {
    const at = random.chance(0.2) ? text.length : random.int(text.length + 1);
    const bytes = random.pick(INVALID_UTF8);
    return [text.slice(0, at) + String.fromCharCode(...bytes) + text.slice(at), `bytes ${bytes.map((b) => b.toString(16)).join(' ')} at ${at}`];
  }],
  ['a byte order mark', 3, (text, random) => {
    const bom = random.pick(BOMS);
    const at = random.chance(0.7) ? 0 : random.int(text.length + 1);
    return [text.slice(0, at) + bom + text.slice(at), `BOM ${Buffer.from(bom, 'latin1').toString('hex')} at ${at}`];
  }],
  ['the XML declaration', 3, (text, random) => {
    const declaration = random.pick(DECLARATIONS);
    const without = text.replace(/^(\xEF\xBB\xBF)?<\?xml[^>]*\?>/, '');
    return [declaration + without, `declaration ${JSON.stringify(declaration)}`];
  }],
  ['line ends', 2, (text, random) => {
    const end = random.pick(['\r\n', '\r', '\n\r', '\u2028']);
    return [text.replace(/\r?\n/g, end === '\u2028' ? utf8(end) : end), `line ends ${JSON.stringify(end)}`];
  }],
  ['random bytes', 3, (text, random) => {
    let out = text;
    const count = 1 + random.int(6);
    for (let n = 0; n < count; n++) {
      const at = random.int(out.length + 1);
      const kind = random.int(3);
      if (kind === 0) out = out.slice(0, at) + String.fromCharCode(random.int(256)) + out.slice(at);
      else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1 + random.int(16));
      else out = out.slice(0, at) + String.fromCharCode(random.int(256)) + out.slice(at + 1);
    }
    return [out, `${count} random byte edits`];
  }],
];

const ALL: [string, number, Operation][] = [...STRUCTURE, ...BYTES];
const TOTAL_WEIGHT = ALL.reduce((sum, [, weight]) => sum + weight, 0);

function pickOperation(random: Random): [string, number, Operation] {
  let roll = random.int(TOTAL_WEIGHT);
  for (const entry of ALL) {
    roll -= entry[1];
    if (roll < 0) return entry;
  }
  return ALL[ALL.length - 1];
}

/** Past this, structural mutations stop (the huge ones already did their work) and a mutant stays a few MB at most. */
const MAX_MUTANT_CHARS = 4 << 20;

/** Mutant `index` of `seed`, from the samples given (sampleFiles()). */
export function mutant(samples: readonly SampleFile[], seed: number, index: number): Mutant {
  const random = randomFor(seed, index);
  const base = random.pick(samples);
  let text = base.bytes.toString('latin1');
  const operations: string[] = [];
  const count = 1 + random.int(random.chance(0.2) ? 4 : 2);
  for (let attempt = 0; operations.length < count && attempt < count * 4; attempt++) {
    const [, , operation] = pickOperation(random);
    if (text.length > MAX_MUTANT_CHARS && STRUCTURE.some(([, , op]) => op === operation)) continue;
    const result = operation(text, random, samples);
    if (!result) continue;
    [text] = result;
    operations.push(result[1]);
  }
  return { seed, index, base: base.name, operations, bytes: Buffer.from(text, 'latin1') };
}

/** What a failure prints, so that it can be reproduced. */
export function describeMutant(m: Mutant, keptAt?: string): string {
  return `fuzz seed ${m.seed}, mutant ${m.index} (mutant(sampleFiles(), ${m.seed}, ${m.index})) from ${m.base}: ${m.operations.join('; ')}${keptAt ? `\nkept at ${keptAt}` : ''}`;
}

/** The seed: ALMA_SIS_FUZZ_SEED when set (to explore), else a fixed one (CI is repeatable). */
export function fuzzSeed(): number {
  const fromEnv = Number(process.env.ALMA_SIS_FUZZ_SEED);
  return Number.isInteger(fromEnv) && process.env.ALMA_SIS_FUZZ_SEED ? fromEnv : 20261202;
}

/** How many mutants: ALMA_SIS_FUZZ_COUNT when set, else 20,000. */
export function fuzzCount(): number {
  const fromEnv = Number(process.env.ALMA_SIS_FUZZ_COUNT);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 20_000;
}

/**
 * Where the mutants are written: /dev/shm when there is one. Creating 20,000 small files on the CI
 * machine's disk takes 12 s of system time, in memory under one.
 */
export function fuzzTmpdir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK);
      return '/dev/shm';
    }
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}
