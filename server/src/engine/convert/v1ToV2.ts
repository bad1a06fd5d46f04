import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { XmlScanner, type ScanProblemRule, type ScanSink, type ScanStartTag, type ScanText, type XmlDeclaration } from '../xml/scanner';
import type { Span } from '../text/span';
import { compiledModel, type ElementNode } from '../schema/compiledModel';
import { V1_NAMESPACE } from '../schema/v1';
import { publishOutput, refuseExistingOutput, temporaryBeside } from '../files/outputFile';
import { V1_TO_V2_BY_PATH, V2_REQUIRED_DEFAULTS, transformValue, type V1ToV2Field } from './v1ToV2Map';

/**
 * Rewrites a User XSD v1 file as v2 in one streaming pass over the project's scanner, following
 * the table in v1ToV2Map.ts. Only the user being read is held (as the small tree of its v2
 * elements, so that v1's mixed address list can be written in v2's strict addresses, emails,
 * phones order); each user is written out as it ends, so a 200 MB file costs what one user costs.
 */

/** A v1 value that v2 has no place for. `line` is 1-based. */
export interface NoHomeValue {
  path: string;
  line: number;
  value: string;
  reason: string;
}

/** A value written differently in v2 (a compact date, a word made a code), or added because v2 requires it. */
export interface ChangedValue {
  /** The v2 path. */
  path: string;
  line: number;
  /** null: the value was not in the v1 file (a default v2 requires). */
  from: string | null;
  to: string;
}

export interface ConversionReport {
  users: number;
  /** The first MAX_LISTED values with no v2 home, in document order. */
  noHome: NoHomeValue[];
  noHomeCount: number;
  /** How many values with no v2 home, by path (the first MAX_PATHS paths). */
  noHomeByPath: Record<string, number>;
  /** The first MAX_LISTED changed values. */
  changed: ChangedValue[];
  changedCount: number;
  /** Empty v1 leaves (or xsi:nil ones), not written: an empty element loads as an absent one. */
  emptyLeftOut: number;
}

export type ConversionRefusal = 'malformed' | 'not-v1' | 'not-users';

/** The file cannot be converted; nothing was written. `line` and `column` are 1-based. */
export class ConversionError extends Error {
  constructor(
    message: string,
    readonly reason: ConversionRefusal,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

/** Lists keep this many entries; the counts go on. A 100k-user file changes every date of every user. */
export const MAX_LISTED = 1000;
const MAX_PATHS = 200;

const FATAL_RULES: ReadonlySet<ScanProblemRule> = new Set(['xml-syntax', 'encoding', 'invalid-char', 'doctype']);
const UNKNOWN_ELEMENT = 'not an element of User XSD v1';
const UNKNOWN_ATTRIBUTE = 'not an attribute of User XSD v1';
const STRAY_TEXT = 'text where v1 has only elements';
const SCHEMA_LOCATION = "the v1 schema's location; a v2 file names none";

/** One v2 element of the user being built. */
interface OutElement {
  name: string;
  def: ElementNode;
  attributes: [string, string][];
  /** Leaves only; null for an element holding elements. */
  text: string | null;
  children: OutElement[];
}

/** One open v1 element. */
interface Frame {
  path: string;
  /** Its v2 element; null inside what has no v2 home (then `noHome` says why) and above the user. */
  out: OutElement | null;
  field: V1ToV2Field | null;
  noHome: string | null;
  line: number;
  text: string;
  /** The v2 element `out` was added to, to take an empty leaf out again. */
  parent: OutElement | null;
  /** Some element below it had text (a no-home container is listed only when none did). */
  listedBelow: boolean;
}

const V2_USER = (() => {
  const users = compiledModel(2).root;
  return users.children[0];
})();

const defaultsByParent = new Map<string, { name: string; value: string }[]>();
for (const { v2, value } of V2_REQUIRED_DEFAULTS) {
  const at = v2.lastIndexOf('/');
  const list = defaultsByParent.get(v2.slice(0, at)) ?? [];
  list.push({ name: v2.slice(at + 1), value });
  defaultsByParent.set(v2.slice(0, at), list);
}

/**
 * The scanner's listener: builds each user's v2 elements and hands the finished text to `emit`.
 * Stops at the first problem that makes the file unreadable or not a v1 file (`error`).
 */
export class V1ToV2Converter implements ScanSink {
  error: ConversionError | null = null;
  readonly report: ConversionReport = { users: 0, noHome: [], noHomeCount: 0, noHomeByPath: {}, changed: [], changedCount: 0, emptyLeftOut: 0 };

  private readonly frames: Frame[] = [];
  private prefix = '';
  /** A <userRecords> root without the v1 namespace: the first child tells v1 (userRecord) from v2 (user). */
  private undecided = false;
  private started = false;
  private user: OutElement | null = null;

  constructor(private readonly emit: (text: string) => void) {}

  xmlDeclaration(_decl: XmlDeclaration): void {}

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    if (this.error === null && FATAL_RULES.has(rule)) {
      this.error = new ConversionError(`${span.line + 1}:${span.col + 1}: ${detail} Fix the XML first: nothing was converted.`, 'malformed', span.line + 1, span.col + 1);
    }
  }

  startTag(tag: ScanStartTag): void {
    if (this.error !== null) return;
    const depth = this.frames.length;
    if (depth === 0) {
      this.startRoot(tag);
      return;
    }
    const parent = this.frames[depth - 1];
    const name = this.prefix !== '' && tag.name.startsWith(this.prefix) ? tag.name.slice(this.prefix.length) : tag.name;
    if (this.undecided) {
      this.undecided = false;
      if (name === 'user') {
        this.refuse(
          'it holds v2 <user> records inside a <userRecords> root: it is User XSD v2 already. Rename the root to <users> instead of converting it.',
          'not-v1',
          tag,
        );
        return;
      }
    }
    const path = `${parent.path}/${name}`;
    const frame: Frame = { path, out: null, field: null, noHome: null, line: tag.line + 1, text: '', parent: null, listedBelow: false };
    this.frames.push(frame);
    if (parent.noHome !== null) {
      frame.noHome = parent.noHome;
      return;
    }
    const field = V1_TO_V2_BY_PATH.get(path);
    if (field === undefined || field.v2 === null) {
      frame.noHome = field?.noHome ?? UNKNOWN_ELEMENT;
      return;
    }
    frame.field = field;
    if (depth === 1) frame.out = this.beginUser();
    else if (parent.out !== null) {
      const placed = this.place(parent.out, field.v2);
      frame.out = placed.element;
      frame.parent = placed.parent;
    }
    this.takeAttributes(tag, frame);
  }

  text(text: ScanText): void {
    if (this.error !== null || this.frames.length === 0) return;
    const frame = this.frames[this.frames.length - 1];
    frame.text += text.value();
  }

  endTag(_name: string): void {
    if (this.error !== null) return;
    const frame = this.frames.pop();
    if (frame === undefined) return;
    const parent = this.frames[this.frames.length - 1];
    if (frame.noHome !== null) {
      // A value is listed where it stands; a container without any value, once, at its top.
      const top = parent === undefined || parent.noHome === null;
      const listed = frame.text !== '' || (top && !frame.listedBelow);
      if (listed) this.noHome(frame.path, frame.line, frame.text, frame.noHome);
      if (parent !== undefined && (listed || frame.listedBelow)) parent.listedBelow = true;
      return;
    }
    const out = frame.out;
    if (out !== null && out.def.content === 'simple') this.endLeaf(frame, out);
    else if (frame.text !== '') this.noHome(`${frame.path}/text()`, frame.line, frame.text, STRAY_TEXT);
    if (out !== null && frame.field !== null) this.addDefaults(frame.field.v2 as string, out, frame.line);
    if (this.frames.length === 1 && this.user !== null) this.endUser();
    if (this.frames.length === 0) this.endRoot();
  }

  private startRoot(tag: ScanStartTag): void {
    const name = tag.name;
    const colon = name.indexOf(':');
    const local = colon > 0 ? name.slice(colon + 1) : name;
    const namespace = tag.attributes.find((a) => a.name === (colon > 0 ? `xmlns:${name.slice(0, colon)}` : 'xmlns'))?.value ?? '';
    if (local === 'users' || local === 'user') {
      this.refuse(`its root is <${name}>: it is User XSD v2 already, there is nothing to convert.`, 'not-v1', tag);
      return;
    }
    if (local !== 'userRecords') {
      this.refuse(`its root is <${name}>, not <userRecords>: it is not a User XSD v1 file. Convert a file whose root is <userRecords>.`, 'not-users', tag);
      return;
    }
    if (colon > 0) {
      if (namespace !== V1_NAMESPACE) {
        this.refuse(`its root <${name}> is not in the v1 namespace ${V1_NAMESPACE}: it is not a User XSD v1 file.`, 'not-users', tag);
        return;
      }
      this.prefix = name.slice(0, colon + 1);
    } else if (namespace !== V1_NAMESPACE) {
      // MIT writes v2 users inside <userRecords>: the first child decides.
      this.undecided = true;
    }
    const frame: Frame = { path: 'userRecords', out: null, field: V1_TO_V2_BY_PATH.get('userRecords') ?? null, noHome: null, line: tag.line + 1, text: '', parent: null, listedBelow: false };
    this.frames.push(frame);
    this.takeAttributes(tag, frame);
  }

  private refuse(message: string, reason: ConversionRefusal, tag: ScanStartTag): void {
    this.error = new ConversionError(`${tag.line + 1}:${tag.col + 1}: ${message}`, reason, tag.line + 1, tag.col + 1);
  }

  private beginUser(): OutElement {
    if (!this.started) {
      this.emit('<?xml version="1.0" encoding="UTF-8"?>\n<users>\n');
      this.started = true;
    }
    this.user = { name: 'user', def: V2_USER, attributes: [], text: null, children: [] };
    return this.user;
  }

  /** True once the root was read: the output is a whole document. */
  get wroteDocument(): boolean {
    return this.started;
  }

  /**
   * The v2 element for `v2Path`, made under `from`: the steps between are found or made once
   * (contact_info, addresses), the last is a new element when it may repeat or holds a value.
   */
  private place(from: OutElement, v2Path: string): { element: OutElement; parent: OutElement } {
    const fromPath = this.pathOf(from);
    const steps = v2Path === fromPath ? [] : v2Path.slice(fromPath.length + 1).split('/');
    let at = from;
    let parent = from;
    for (let k = 0; k < steps.length; k++) {
      const entry = at.def.index.exact.get(steps[k]);
      if (entry === undefined) throw new Error(`v1ToV2Map: ${v2Path} is not in the v2 model`);
      const def = entry.def;
      const last = k === steps.length - 1;
      const existing = last && (def.max > 1 || def.content === 'simple') ? undefined : at.children.find((c) => c.def === def);
      parent = at;
      if (existing !== undefined) at = existing;
      else {
        const made: OutElement = { name: def.name, def, attributes: [], text: def.content === 'simple' ? '' : null, children: [] };
        at.children.push(made);
        at = made;
      }
    }
    return { element: at, parent };
  }

  /** Path of a v2 element, from the frames that hold it (elements know only their children). */
  private pathOf(element: OutElement): string {
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const frame = this.frames[k];
      if (frame.out === element && frame.field !== null && frame.field.v2 !== null) return frame.field.v2;
    }
    return 'users/user';
  }

  private takeAttributes(tag: ScanStartTag, frame: Frame): void {
    for (const attribute of tag.attributes) {
      const name = attribute.name;
      // Namespace declarations and xsi:nil say how the v1 file is written, not what it holds.
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      if (/^[^:]+:nil$/.test(name)) continue;
      const local = this.prefix !== '' && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
      const field = V1_TO_V2_BY_PATH.get(`${frame.path}/@${local}`);
      const path = `${frame.path}/@${name}`;
      if (frame.out === null || field === undefined || field.v2 === null) {
        const reason = field?.noHome ?? frame.noHome ?? (/^[^:]+:(noNamespace)?[sS]chemaLocation$/.test(name) ? SCHEMA_LOCATION : UNKNOWN_ATTRIBUTE);
        this.noHome(path, tag.line + 1, attribute.value, reason);
        continue;
      }
      frame.out.attributes.push([field.v2.slice(field.v2.lastIndexOf('@') + 1), attribute.value]);
    }
  }

  private endLeaf(frame: Frame, out: OutElement): void {
    const value = frame.text;
    if (value === '') {
      this.report.emptyLeftOut++;
      const parent = frame.parent;
      if (parent !== null) parent.children.splice(parent.children.lastIndexOf(out), 1);
      return;
    }
    const field = frame.field as V1ToV2Field;
    const converted = field.transform === undefined ? value : transformValue(field.transform, value);
    out.text = converted;
    if (converted !== value) this.changed(field.v2 as string, frame.line, value, converted);
  }

  private addDefaults(v2Path: string, out: OutElement, line: number): void {
    const defaults = defaultsByParent.get(v2Path);
    if (defaults === undefined) return;
    for (const { name, value } of defaults) {
      if (out.children.some((c) => c.name === name)) continue;
      const entry = out.def.index.exact.get(name);
      if (entry === undefined) continue;
      out.children.push({ name, def: entry.def, attributes: [], text: value, children: [] });
      this.changed(`${v2Path}/${name}`, line, null, value);
    }
  }

  private endUser(): void {
    const user = this.user as OutElement;
    this.user = null;
    const lines: string[] = [];
    writeElement(user, 1, lines);
    this.emit(lines.join(''));
    this.report.users++;
  }

  private endRoot(): void {
    this.emit(this.started ? '</users>\n' : '<?xml version="1.0" encoding="UTF-8"?>\n<users/>\n');
    this.started = true;
  }

  private noHome(path: string, line: number, value: string, reason: string): void {
    const report = this.report;
    report.noHomeCount++;
    if (report.noHome.length < MAX_LISTED) report.noHome.push({ path, line, value, reason });
    const byPath = report.noHomeByPath;
    if (path in byPath) byPath[path]++;
    else if (Object.keys(byPath).length < MAX_PATHS) byPath[path] = 1;
  }

  private changed(path: string, line: number, from: string | null, to: string): void {
    const report = this.report;
    report.changedCount++;
    if (report.changed.length < MAX_LISTED) report.changed.push({ path, line, from, to });
  }
}

/** 2-space indentation; children in the v2 model's order (contact_info is an xs:sequence). */
function writeElement(element: OutElement, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = element.attributes.map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('');
  if (element.text !== null) {
    out.push(`${indent}<${element.name}${attributes}>${escapeText(element.text)}</${element.name}>\n`);
    return;
  }
  if (element.children.length === 0) {
    out.push(`${indent}<${element.name}${attributes}/>\n`);
    return;
  }
  out.push(`${indent}<${element.name}${attributes}>\n`);
  const order = (child: OutElement) => element.def.index.exact.get(child.name)?.position ?? Number.MAX_SAFE_INTEGER;
  const children = element.children.map((child, index) => ({ child, index })).sort((a, b) => order(a.child) - order(b.child) || a.index - b.index);
  for (const { child } of children) writeElement(child, depth + 1, out);
  out.push(`${indent}</${element.name}>\n`);
}

// A carriage return is escaped: a parser would turn a literal one into a line feed.
function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function escapeAttribute(value: string): string {
  return value.replace(/[&<>"\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c] as string);
}

function throwIfRefused(converter: V1ToV2Converter): void {
  if (converter.error !== null) throw converter.error;
}

/** The v2 text of a v1 document held in memory (an editor buffer). Throws ConversionError. */
export function convertV1ToV2Text(input: string | Uint8Array): ConversionReport & { text: string } {
  const parts: string[] = [];
  const converter = new V1ToV2Converter((text) => parts.push(text));
  const scanner = new XmlScanner(converter);
  scanner.write(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  scanner.end();
  throwIfRefused(converter);
  if (!converter.wroteDocument) throw new ConversionError('the file holds no XML element: it is not a User XSD v1 file.', 'not-users');
  return { ...converter.report, text: parts.join('') };
}

/**
 * Converts a stream of v1 bytes, writing v2 text to `write` as each user ends. `write` may return
 * a promise (a stream's drain); it is awaited after each chunk. On a refusal it throws, and what
 * was written must be thrown away: convertV1ToV2File does that.
 */
export async function convertV1ToV2Stream(
  chunks: AsyncIterable<Uint8Array>,
  write: (text: string) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<ConversionReport> {
  let pending: string[] = [];
  const converter = new V1ToV2Converter((text) => pending.push(text));
  const scanner = new XmlScanner(converter);
  const flush = async () => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    await write(text);
  };
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    scanner.write(chunk);
    throwIfRefused(converter);
    await flush();
  }
  scanner.end();
  throwIfRefused(converter);
  if (!converter.wroteDocument) throw new ConversionError('the file holds no XML element: it is not a User XSD v1 file.', 'not-users');
  await flush();
  return converter.report;
}

/** `NAME.v2.xml` for `NAME.xml`, in `folder` when given, else beside the input. */
export function v2FileName(input: string, folder?: string): string {
  const name = basename(input).replace(/\.xml$/i, '');
  return join(folder ?? dirname(input), `${name}.v2.xml`);
}

export interface ConvertFileOptions {
  /** Replace an existing output file. */
  force?: boolean;
  signal?: AbortSignal;
}

/**
 * Converts a v1 file into `output`, written under a hidden temporary name beside it and given its
 * name only when the whole file converted: a refusal, a failure or Ctrl-C leaves nothing. Without
 * `force`, an existing output is never replaced, even one that appears while converting (a hard
 * link cannot replace a file).
 */
export async function convertV1ToV2File(input: string, output: string, options: ConvertFileOptions = {}): Promise<ConversionReport> {
  await refuseExistingOutput(output, options.force);
  const temporary = temporaryBeside(output);
  const stream: WriteStream = createWriteStream(temporary, { flags: 'wx' });
  try {
    await once(stream, 'open');
    const report = await convertV1ToV2Stream(createReadStream(input, { highWaterMark: 1 << 20 }), async (text) => {
      if (!stream.write(text)) await once(stream, 'drain');
    }, options.signal);
    stream.end();
    await once(stream, 'finish');
    await publishOutput(temporary, output, options.force);
    return report;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
