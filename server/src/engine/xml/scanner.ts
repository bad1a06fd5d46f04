import type { Span } from '../text/span';
import { decodeEntities, checkEntityReference } from './entities';
import { editDistance } from '../text/similarity';
import { excerpt } from '../text/excerpt';

/**
 * A streaming, position-tracking XML tokenizer over UTF-8 bytes.
 *
 * Why our own: a DOM of a 100k-user file costs minutes and gigabytes, and general SAX parsers
 * stop at the first well-formedness error or lose positions. This scanner keeps line and
 * UTF-16 column (LSP's units) for every token, reports every problem it can with a precise
 * span, recovers and goes on, never expands or fetches entities, and holds only the current
 * token: memory stays flat whatever the file size. The same code serves an editor buffer
 * (encoded once) and a file or zip entry streamed from disk in chunks.
 */

export type ScanProblemRule = 'xml-syntax' | 'encoding' | 'bom' | 'invalid-char' | 'doctype';

export interface ScanAttribute {
  readonly name: string;
  readonly nameSpan: Span;
  /** Decoded value (entities replaced); cut at MAX_KEPT_BYTES for absurdly long values. */
  readonly value: string;
  /** Span inside the quotes. */
  readonly valueSpan: Span;
  readonly truncated: boolean;
}

/**
 * Positions are kept as numbers; spans are built only when a rule reports on the attribute.
 * Attribute objects are pooled and refilled for each tag, like the start tag itself.
 */
class Attribute implements ScanAttribute {
  name = '';
  line = 0;
  col = 0;
  value = '';
  valueLine = 0;
  valueCol = 0;
  valueEndLine = 0;
  valueEndCol = 0;
  truncated = false;

  get nameSpan(): Span {
    return nameSpanAt(this.name, this.line, this.col);
  }

  get valueSpan(): Span {
    return { line: this.valueLine, col: this.valueCol, endLine: this.valueEndLine, endCol: this.valueEndCol };
  }
}

/**
 * A start tag. The object and its attributes are reused between events (a file has millions of
 * tags): read them inside the callback, and copy what you keep. The name never spans lines, so its span is (line, col) plus the name's length.
 */
export interface ScanStartTag {
  name: string;
  line: number;
  col: number;
  attributes: ScanAttribute[];
  selfClosing: boolean;
}

/** The span of an element name that starts at (line, col). */
export function nameSpanAt(name: string, line: number, col: number): Span {
  return { line, col, endLine: line, endCol: col + name.length };
}

/**
 * One run of text (or a CDATA section) that holds more than white space. The object is reused
 * between events: read what you need inside the callback, and copy spans you keep.
 */
export interface ScanText {
  /** The trimmed text's span. */
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** Bytes from the first to the last non-white-space byte (before entity decoding). */
  byteLength: number;
  /** True when those bytes are all ASCII and hold no entity reference: then length === byteLength. */
  plainAscii: boolean;
  /** True when the text was cut at MAX_KEPT_BYTES (the value is then a prefix). */
  truncated: boolean;
  cdata: boolean;
  /** The trimmed, entity-decoded value; materialised only when asked for. */
  value(): string;
  /**
   * The same value; for a short plain one, the string the same bytes gave last time. For values a
   * file repeats (codes, booleans): no new string per element. Whichever is asked first decides
   * the string both give from then on.
   */
  sharedValue(): string;
}

export interface XmlDeclaration {
  version?: string;
  encoding?: string;
  encodingSpan?: Span;
  span: Span;
}

export interface ScanSink {
  xmlDeclaration(decl: XmlDeclaration): void;
  startTag(tag: ScanStartTag): void;
  /** Also called right after startTag for a self-closing tag. Always balanced with startTag. */
  endTag(name: string): void;
  text(text: ScanText): void;
  problem(rule: ScanProblemRule, span: Span, detail: string): void;
}

/** Values longer than this are cut (their length is still known to be over every schema limit). */
export const MAX_KEPT_BYTES = 1 << 20;

/**
 * Problems reported per document. A binary file would yield one per byte: past this many nothing
 * more is even formatted, and the last one reported says how many followed. No more than a
 * report lists of one rule (validation/findingCollector.ts), so that closing remark is listed.
 */
export const MAX_SCAN_PROBLEMS = 1000;

/**
 * Open elements tracked. Alma's records are under 10 deep; deeper elements are reported once and
 * only counted, so that a file nested millions deep costs no memory per level.
 */
export const MAX_DEPTH = 64;

/** Attributes kept per tag (real ones have a handful); the rest are reported once and skipped. */
export const MAX_ATTRIBUTES = 64;

/** Texts up to this many bytes are shared (ScanText.sharedValue): codes, booleans and dates are shorter. */
const MAX_SHARED_TEXT = 32;

/**
 * Names remembered (XmlScanner.learnName): past this many, new names are read the general way
 * only, so that a hostile file with ever new names costs no more memory.
 */
const MAX_PREDICTED = 4096;

/** Attributes of a tag remembered in order (knownAttribute): real tags have a handful. */
const MAX_LEARNED_ATTRIBUTES = 16;

/** A misspelt end tag is only looked for between names of plausible length. */
const MAX_SUGGESTED_NAME = 64;

const enum S {
  Text,
  Lt, // after '<'
  StartName,
  InTag, // between attributes
  AttrName,
  AfterAttrName, // expecting '='
  BeforeAttrValue, // expecting a quote
  AttrValue,
  AttrUnquoted,
  Slash, // '/' inside a start tag, expecting '>'
  EndName,
  AfterEndName,
  Bang, // after '<!'
  Comment,
  Cdata,
  Pi,
  Doctype,
  Entity, // after '&' in text or an attribute value
  Dead, // input that cannot be XML (UTF-16): ignore the rest
}

// Byte classes for names: 1 = may start a name, 2 = may continue it. Every byte >= 0x80 counts
// as a name character: a stricter Unicode check would cost time on every name for no user benefit.
const EMPTY = Buffer.alloc(0);

const NAME_CLASS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  const c = String.fromCharCode(b);
  if (b >= 0x80 || /[A-Za-z_:]/.test(c)) NAME_CLASS[b] = 3;
  else if (/[0-9.\-]/.test(c)) NAME_CLASS[b] = 2;
}

// Printable ASCII: one column each, never part of a UTF-8 sequence, never a forbidden character.
// The inner loops below consume runs of these without the generic per-byte bookkeeping.
const PRINTABLE = new Uint8Array(256);
for (let b = 0x20; b < 0x7f; b++) PRINTABLE[b] = 1;
/** What a run of text goes on over without a second look: printable ASCII but '<' and '&'. */
const TEXT_RUN = PRINTABLE.slice();
TEXT_RUN[0x3c] = 0;
TEXT_RUN[0x26] = 0;

/**
 * A misspelt end tag (</lastname> for <last_name>): close to the open element's name. Compared
 * only between plausible names, with a distance bounded by 3, so the cost stays small.
 */
function looksMisspelt(name: string, open: string): boolean {
  if (name.length > MAX_SUGGESTED_NAME || open.length > MAX_SUGGESTED_NAME) return false;
  const limit = Math.min(3, Math.max(1, Math.floor(open.length / 3)));
  return editDistance(name.toLowerCase(), open.toLowerCase(), limit) <= limit;
}

/** "<!--" */
const COMMENT_OPENER = [0x3c, 0x21, 0x2d, 0x2d];

/** What XmlScanner.knownAttribute compares with: a name, and its value when short and plain. */
interface ExpectedAttribute {
  name: string;
  nameBytes: WordBytes;
  value: string | null;
  /** The attribute that came after this one, in a tag of the same name at the same place. */
  next: ExpectedAttribute | null;
}

/**
 * A tag name met before (ASCII, read in one chunk), with what followed it last time: the scanner
 * links them as it learns, so that the fast paths of run() find what to expect without a lookup.
 */
interface KnownName {
  name: string;
  /** The name's bytes, compared with the input's in one pass. */
  bytes: WordBytes;
  /** The name that followed a start tag of this name, and an end tag of it. */
  afterStart: KnownName | null;
  afterEnd: KnownName | null;
  /** The attribute that came first in a tag of this name. */
  firstAttribute: ExpectedAttribute | null;
}

/**
 * A short string's bytes also held as little-endian 32-bit words: the fast paths compare a tag
 * or attribute name four bytes at a time (DataView reads compile to single loads), which took 15-27 ns a name
 * against 31-47 ns byte by byte over the names of the 100k-user bench file.
 */
interface WordBytes {
  /** The count of bytes, read on every compare. */
  readonly length: number;
  readonly bytes: Uint8Array;
  /** The whole words from the start; a shorter tail is compared as the last four bytes. */
  readonly words: Int32Array;
  readonly lastWord: number;
}

function wordBytes(text: string): WordBytes {
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const words = new Int32Array(bytes.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = view.getInt32(k << 2, true);
  return { length: bytes.length, bytes, words, lastWord: bytes.length >= 4 ? view.getInt32(bytes.length - 4, true) : 0 };
}

/** Whether `expected` is at `at` in the chunk `buf` (`view` over the same bytes); the caller has checked it fits. */
function bytesAt(view: DataView, buf: Uint8Array, at: number, expected: WordBytes): boolean {
  const len = expected.length;
  if (len < 4) {
    const bytes = expected.bytes;
    for (let k = 0; k < len; k++) if (buf[at + k] !== bytes[k]) return false;
    return true;
  }
  const words = expected.words;
  for (let k = 0; k < words.length; k++) if (view.getInt32(at + (k << 2), true) !== words[k]) return false;
  return (len & 3) === 0 || view.getInt32(at + len - 4, true) === expected.lastWord;
}

/** A value worth remembering as the one expected: short and plain; null otherwise. */
function plainValue(value: string): string | null {
  return value.length <= 24 && isPlainAscii(value) ? value : null;
}

/** Printable ASCII without '&', '<' or a quote: what a remembered name or value may hold. */
function isPlainAscii(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x80 || PRINTABLE[c] === 0 || c === 0x26 || c === 0x3c || c === 0x22 || c === 0x27) return false;
  }
  return true;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d;
}

function describeByte(b: number): string {
  return `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Interns short ASCII names and attribute values: a file repeats a few hundred of them millions of
 * times. A small two-way table indexed by a key that samples the length and four bytes (cheap,
 * once per token); a hit is verified byte by byte, so a collision only costs a fresh string.
 */
class ShortStringCache {
  private static readonly SETS = 4096; // a power of two
  private readonly table: (string | undefined)[] = new Array(ShortStringCache.SETS * 2);

  get(buf: Buffer, start: number, end: number): string {
    const len = end - start;
    const key = (((Math.imul(len, 0x9e3779b1) ^ buf[start]) * 31 + buf[start + (len >> 1)]) * 31 + buf[end - 1]) * 31 + buf[start + (len > 1 ? 1 : 0)];
    const slot = (key & (ShortStringCache.SETS - 1)) << 1;
    const table = this.table;
    const first = table[slot];
    if (first !== undefined && first.length === len && sameBytes(first, buf, start, len)) return first;
    const second = table[slot + 1];
    if (second !== undefined && second.length === len && sameBytes(second, buf, start, len)) return second;
    // Straight from the chunk: a Buffer view made per miss cost more than the string itself.
    const str = buf.toString('latin1', start, end);
    // The newer string takes the first way; the one it displaces moves to the second.
    table[slot + 1] = first;
    table[slot] = str;
    return str;
  }
}

function sameBytes(str: string, buf: Uint8Array, start: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (str.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}

export class XmlScanner {
  private state = S.Text;
  private line = 0;
  private col = 0;
  private lastWasCr = false;
  private bytesSeen = 0;

  // UTF-8 validation state: continuation bytes still expected, and the allowed range of the next one.
  private u8need = 0;
  private u8lo = 0x80;
  private u8hi = 0xbf;
  private u8startLine = 0;
  private u8startCol = 0;
  private u8lead = 0;
  private u8second = 0;

  // The token being accumulated (name, attribute value, text run): its start index in the
  // current chunk (-1: none) and the bytes carried over from earlier chunks.
  private tokStart = -1;
  private carry: Buffer[] = [];
  private carryLength = 0;
  private tokAscii = true;

  // Start positions of the token / markup in progress.
  private markLine = 0;
  private markCol = 0;
  private tokLine = 0;
  private tokCol = 0;

  // Text run state.
  private textHasContent = false;
  private textEndLine = 0;
  private textEndCol = 0;
  private textLastNonSpace = -1; // index in chunk just past the last non-space byte, -1 when in carry
  private textBytesToLastNonSpace = 0;
  private textHasAmp = false;

  // Current start tag.
  private tagName = '';
  private tagLine = 0;
  private tagCol = 0;
  private inTag = false; // a start or end tag's name has been read and its '>' not yet
  private readonly tag: ScanStartTag = { name: '', line: 0, col: 0, attributes: [], selfClosing: false };
  // The current tag's attributes: pooled objects refilled for every tag, handed out through one
  // array per attribute count (pool objects keep their index, so those arrays never change).
  private attributeCount = 0;
  private attributesCut = false; // the tag has more than MAX_ATTRIBUTES, and that was reported
  private readonly attributePool: Attribute[] = [];
  private readonly attributeArrays: Attribute[][] = [[]];
  private attrName = '';
  private attrLine = 0;
  private attrCol = 0;
  private quote = 0;
  private attrHasAmp = false;

  // Entity reference in progress.
  private entityReturn = S.Text;
  private entityText = '';
  private entityLine = 0;
  private entityCol = 0;

  // Markup matching state: '<!' prefix, comment/CDATA/PI terminators, DOCTYPE nesting.
  private bang = '';
  private runCount = 0;
  private piText = '';
  private doctypeDepth = 0;
  private doctypeQuote = 0;
  // Comments and PIs in a DOCTYPE's internal subset: how much of "<!--" was just seen (1: "<",
  // which "?" makes a PI), and whether inside one.
  private doctypeOpener = 0;
  private doctypeComment = false;
  private doctypePi = false;

  // The open elements, as parallel arrays that grow once and are reused (no object per element).
  private depth = 0;
  /** Elements open below the MAX_DEPTH tracked ones: only counted, so that end tags still balance. */
  private excessDepth = 0;
  private readonly openNames: string[] = [];
  /** The open elements' KnownName (null: not learned), for the end tag's fast path. */
  private readonly openKnown: (KnownName | null)[] = [];
  private readonly openLines: number[] = [];
  private readonly openCols: number[] = [];
  private rootSeen = false;
  private rootClosed = false;
  private sawDeclaration = false;
  private readonly names = new ShortStringCache();
  private readonly shortValues = new ShortStringCache();
  private chunk: Buffer = EMPTY;

  // Problems reported so far, those dropped past MAX_SCAN_PROBLEMS, and the last one reported,
  // held back until the end so that it can say how many followed.
  private problemCount = 0;
  private droppedProblems = 0;
  private heldProblem: { rule: ScanProblemRule; span: Span; detail: string } | null = null;

  private readonly textToken = new TextToken(this);
  private pendingTextEnd = 0; // end index (in chunk) of the text being emitted

  /**
   * `start`: where the first byte is, for a piece of a document scanned on its own (incremental
   * validation). `compareKnown: false` reads every name and attribute the general way, never
   * comparing it with the one expected: the reference a property test holds the faster way to.
   */
  constructor(private readonly sink: ScanSink, start?: { line: number; col: number }, options?: { compareKnown?: boolean }) {
    if (start) {
      this.line = start.line;
      this.col = start.col;
    }
    this.compareKnown = options?.compareKnown ?? true;
  }

  private readonly compareKnown: boolean;

  /** Feeds the next chunk of bytes. */
  write(chunk: Uint8Array): void {
    if (this.bytesSeen === 0) {
      // The start (BOM, UTF-16) is judged on four bytes, however the input is cut into chunks.
      const head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      if (head.length < 4) {
        this.head = Buffer.from(head);
        return;
      }
      this.head = EMPTY;
      chunk = head;
    }
    this.feed(chunk);
  }

  private head: Buffer = EMPTY;

  private feed(chunk: Uint8Array): void {
    if (this.bytesSeen === 0 && chunk.length > 0 && !this.checkStart(chunk)) {
      this.bytesSeen += chunk.length;
      return;
    }
    // A Buffer view (no copy) so that strings decode straight from the chunk.
    this.chunk = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.run(chunk, this.bytesSeen === 0 && this.startSkip > 0 ? this.startSkip : 0);
    this.bytesSeen += chunk.length;
    this.carryOver(chunk);
  }

  private startSkip = 0;

  /** BOMs and UTF-16: decided on the first bytes. Returns false when the rest cannot be XML. */
  private checkStart(chunk: Uint8Array): boolean {
    const b0 = chunk[0];
    const b1 = chunk.length > 1 ? chunk[1] : -1;
    const b2 = chunk.length > 2 ? chunk[2] : -1;
    if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe) || (b0 === 0 && b1 === 0x3c) || (b0 === 0x3c && b1 === 0)) {
      this.problem('encoding', { line: 0, col: 0, endLine: 0, endCol: 1 },
        'The file is UTF-16, not UTF-8. Alma reads user files as UTF-8 only: save it as UTF-8 (without a byte order mark).');
      this.state = S.Dead;
      return false;
    }
    if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) {
      this.problem('bom', { line: 0, col: 0, endLine: 0, endCol: 1 },
        'The file starts with a UTF-8 byte order mark (BOM). Alma\'s loader expects the XML declaration first ("content is not allowed in prolog"): save without BOM.');
      this.startSkip = 3;
      this.col = 0; // the BOM is one UTF-16 unit in an editor, but editors hide it: columns start after it
    }
    return true;
  }

  /**
   * Where the scan stands when it is between two tags directly inside the root, with nothing
   * pending and nothing reported: the position of the next byte. A second thread may scan the rest
   * from there (validation/splitValidation.ts). Null anywhere else.
   */
  betweenTags(): { line: number; col: number } | null {
    if (this.state !== S.Text || this.textHasContent || this.u8need !== 0 || this.lastWasCr || this.head.length > 0) return null;
    if (this.depth !== 1 || this.excessDepth !== 0 || this.rootClosed || this.problemCount !== 0 || this.heldProblem !== null) return null;
    return { line: this.line, col: this.col };
  }

  /** Ends the input: reports what is left open. */
  end(): void {
    if (this.head.length > 0) {
      const head = this.head;
      this.head = EMPTY;
      this.feed(head);
    }
    if (this.state !== S.Dead) this.reportUnfinished();
    this.releaseHeldProblem();
  }

  private reportUnfinished(): void {
    // write() carried any unfinished token over; nothing of the last chunk is read from here on.
    this.chunk = EMPTY;
    const here: Span = { line: this.line, col: this.col, endLine: this.line, endCol: this.col };
    if (this.u8need > 0) {
      this.problem('encoding', { line: this.u8startLine, col: this.u8startCol, endLine: this.line, endCol: this.col },
        'The file ends in the middle of a UTF-8 character.');
      this.u8need = 0;
    }
    const state = this.state;
    switch (state) {
      case S.Text:
        this.flushText(this.chunk.length);
        break;
      case S.Entity:
        this.problem('xml-syntax', { line: this.entityLine, col: this.entityCol, endLine: this.entityLine, endCol: this.entityCol + 1 },
          'A bare "&" must be written "&amp;".');
        break;
      case S.Comment:
        this.problem('xml-syntax', this.markSpan(4), 'The file ends inside a comment that was never closed with "-->".');
        break;
      case S.Cdata:
        this.problem('xml-syntax', this.markSpan(9), 'The file ends inside a CDATA section that was never closed with "]]>".');
        break;
      case S.Doctype:
        this.problem('xml-syntax', this.markSpan(9), 'The file ends inside the DOCTYPE declaration.');
        break;
      case S.Pi:
        this.problem('xml-syntax', this.markSpan(2), 'The file ends inside a processing instruction that was never closed with "?>".');
        break;
      case S.AttrValue:
      case S.AttrUnquoted:
        this.problem('xml-syntax', this.attrSpan(), `The value of attribute ${excerpt(this.attrName)} is never closed: the file ends inside it.`);
        break;
      case S.StartName:
      case S.EndName:
        if (this.tokStart >= 0 || this.carry.length > 0) {
          this.tagName = this.tokenString(this.chunk.length);
          this.tagKnown = null;
          this.tagLine = this.tokLine;
          this.tagCol = this.tokCol;
          this.problem('xml-syntax', this.tagSpan(), `The tag <${state === S.EndName ? '/' : ''}${excerpt(this.tagName)}> is not closed with ">": the file ends inside it.`);
        } else {
          this.problem('xml-syntax', this.markSpan(1), 'The file ends inside a tag.');
        }
        break;
      default:
        if (this.inTag) {
          this.problem('xml-syntax', this.tagSpan(), `The tag <${excerpt(this.tagName)}> is not closed with ">": the file ends inside it.`);
        } else {
          this.problem('xml-syntax', this.markSpan(1), 'The file ends inside a tag.');
        }
    }
    while (this.depth > 0) {
      const name = this.openNames[this.depth - 1];
      this.problem('xml-syntax', this.openSpan(this.depth - 1), `<${excerpt(name)}> is never closed (missing </${excerpt(name)}>).`);
      this.depth--;
      this.sink.endTag(name);
    }
    if (!this.rootSeen) {
      this.problem('xml-syntax', here, 'The file has no root element: Alma expects <users> holding <user> elements.');
    }
    this.state = S.Dead;
  }

  private problem(rule: ScanProblemRule, span: Span, detail: string): void {
    if (this.muted()) return;
    if (++this.problemCount === MAX_SCAN_PROBLEMS) this.heldProblem = { rule, span, detail };
    else this.sink.problem(rule, span, detail);
  }

  /**
   * True once MAX_SCAN_PROBLEMS were reported; counts the problem dropped. Call sites that can fire
   * on every byte ask first, so that nothing is formatted for a problem that will not be shown.
   */
  private muted(): boolean {
    if (this.problemCount < MAX_SCAN_PROBLEMS) return false;
    this.droppedProblems++;
    return true;
  }

  private releaseHeldProblem(): void {
    const held = this.heldProblem;
    if (!held) return;
    this.heldProblem = null;
    const note = this.droppedProblems > 0
      ? ` (${MAX_SCAN_PROBLEMS} well-formedness problems reported; ${this.droppedProblems} later ones in this file are not: is it XML at all?)`
      : '';
    this.sink.problem(held.rule, held.span, held.detail + note);
  }

  private markSpan(length: number): Span {
    return { line: this.markLine, col: this.markCol, endLine: this.markLine, endCol: this.markCol + length };
  }

  // ---------------------------------------------------------------------------------------
  // Token accumulation across chunks

  private beginToken(index: number): void {
    this.tokStart = index;
    if (this.carryLength !== 0 || this.carry.length !== 0) this.dropCarry();
    this.tokAscii = true;
  }

  /** The token is done with: nothing is accumulating any more. */
  private endToken(): void {
    this.tokStart = -1;
    this.dropCarry();
  }

  private dropCarry(): void {
    if (this.carryLength !== 0 || this.carry.length !== 0) {
      this.carry = [];
      this.carryLength = 0;
    }
  }

  private carryOver(chunk: Uint8Array): void {
    if (this.tokStart >= 0 && this.tokStart < chunk.length) {
      const room = MAX_KEPT_BYTES - this.carryLength;
      if (room > 0) {
        // Copy: the caller may reuse its buffer, and a kept slice would pin the whole chunk.
        const part = Buffer.from(chunk.subarray(this.tokStart, this.tokStart + Math.min(room, chunk.length - this.tokStart)));
        this.carry.push(part);
        this.carryLength += part.length;
      }
    }
    if (this.tokStart >= 0) this.tokStart = 0;
    // A text run may be interrupted by an entity reference at the chunk's end: the run is what counts.
    if (this.textHasContent) {
      // The last non-space position is now measured from the token start, across chunks.
      if (this.textLastNonSpace >= 0) this.textBytesToLastNonSpace = this.carryLength - (chunk.length - this.textLastNonSpace);
      this.textLastNonSpace = -1;
    }
  }

  /** The current token up to `end` as a string, decoded straight from the chunk when it lies in one. */
  private tokenString(end: number): string {
    if (this.carry.length === 0 && end - this.tokStart <= MAX_KEPT_BYTES) {
      return this.chunk.toString('utf8', this.tokStart, Math.max(this.tokStart, end));
    }
    return this.tokenBytes(end).toString('utf8');
  }

  /** The bytes of the current token up to `end` (exclusive) in the current chunk. */
  private tokenBytes(end: number): Buffer {
    const chunk = this.chunk;
    const own = Buffer.from(chunk.buffer, chunk.byteOffset + this.tokStart, Math.max(0, end - this.tokStart));
    if (this.carry.length === 0) return own.length > MAX_KEPT_BYTES ? own.subarray(0, MAX_KEPT_BYTES) : own;
    const all = Buffer.concat([...this.carry, own]);
    return all.length > MAX_KEPT_BYTES ? all.subarray(0, MAX_KEPT_BYTES) : all;
  }

  private tokenLength(end: number): number {
    return this.carryLength + Math.max(0, end - this.tokStart);
  }

  private takeName(end: number): string {
    if (this.carry.length === 0 && this.tokAscii && end - this.tokStart <= 64) {
      return this.names.get(this.chunk, this.tokStart, end);
    }
    return this.tokenString(end);
  }

  /** An end tag's name: nearly always the open element's, so compare bytes before making a string. */
  private takeEndName(end: number): string {
    const open = this.depth > 0 ? this.openNames[this.depth - 1] : '';
    const start = this.tokStart;
    const len = end - start;
    if (this.carry.length === 0 && open.length === len) {
      const buf = this.chunk;
      let k = 0;
      while (k < len && open.charCodeAt(k) === buf[start + k]) k++;
      if (k === len) return open;
    }
    return this.takeName(end);
  }

  private takeAttrValue(end: number): string {
    if (this.carry.length === 0 && this.tokAscii && !this.attrHasAmp && end - this.tokStart <= 24 && end > this.tokStart) {
      return this.shortValues.get(this.chunk, this.tokStart, end);
    }
    const raw = this.tokenString(end);
    return this.attrHasAmp ? decodeEntities(raw) : raw;
  }

  /** @internal materializeText(), through the cache of short values when the text is short and plain. */
  materializeSharedText(): string {
    const start = this.tokStart;
    const end = this.pendingTextEnd;
    if (!this.textToken.cdata && this.textToken.plainAscii && this.carry.length === 0 && end > start && end - start <= MAX_SHARED_TEXT) {
      return this.shortValues.get(this.chunk, start, end);
    }
    return this.materializeText();
  }

  /** @internal Called by TextToken.value() during the sink's text callback. */
  materializeText(): string {
    if (this.textToken.cdata) {
      // The two ']' of the terminator are still in the token: they may sit in an earlier chunk.
      const bytes = this.tokenBytes(this.pendingTextEnd);
      return bytes.subarray(0, Math.max(0, bytes.length - 2)).toString('utf8').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    }
    let raw = this.tokenString(this.pendingTextEnd);
    // Trailing white space is in the token only when the text ran across a chunk boundary.
    if (this.carry.length !== 0) raw = raw.replace(/[ \t\r\n]+$/, '');
    return this.textHasAmp ? decodeEntities(raw) : raw;
  }

  // ---------------------------------------------------------------------------------------
  // Text runs

  private flushText(end: number): void {
    if (!this.textHasContent) return;
    const t = this.textToken;
    t.line = this.tokLine;
    t.col = this.tokCol;
    t.endLine = this.textEndLine;
    t.endCol = this.textEndCol;
    const trimmedEnd = this.textLastNonSpace >= 0 ? this.textLastNonSpace : end;
    t.byteLength = this.textLastNonSpace >= 0 ? this.tokenLength(this.textLastNonSpace) : this.textBytesToLastNonSpace;
    t.plainAscii = this.tokAscii && !this.textHasAmp;
    t.truncated = t.byteLength > MAX_KEPT_BYTES;
    t.cdata = false;
    this.pendingTextEnd = trimmedEnd;
    t.cached = null;
    if (this.depth === 0) {
      this.problem('xml-syntax', { line: t.line, col: t.col, endLine: t.endLine, endCol: t.endCol },
        this.rootSeen ? 'Text is not allowed after the root element.' : 'Text is not allowed before the root element ("content is not allowed in prolog").');
    } else if (this.excessDepth === 0) {
      this.sink.text(t);
    }
    this.textHasContent = false;
    this.endToken();
  }

  // ---------------------------------------------------------------------------------------
  // Elements

  private tagSpan(): Span {
    return nameSpanAt(this.tagName, this.tagLine, this.tagCol);
  }

  private openSpan(index: number): Span {
    return nameSpanAt(this.openNames[index], this.openLines[index], this.openCols[index]);
  }

  private emitStartTag(selfClosing: boolean): void {
    if (this.depth === MAX_DEPTH) { // also while excessDepth > 0: the tracked depth stays at the cap then
      this.skipDeepStartTag(selfClosing);
      return;
    }
    const tag = this.tag;
    tag.name = this.tagName;
    tag.line = this.tagLine;
    tag.col = this.tagCol;
    tag.attributes = this.attributeArrays[this.attributeCount] ?? this.makeAttributeArray(this.attributeCount);
    tag.selfClosing = selfClosing;
    if (this.depth === 0) {
      if (this.rootClosed) {
        this.problem('xml-syntax', this.tagSpan(), `A second root element <${excerpt(tag.name)}>: an XML file has exactly one root element.`);
      }
      this.rootSeen = true;
    }
    this.sink.startTag(tag);
    this.prevKnown = this.tagKnown;
    this.prevWasEnd = selfClosing;
    if (selfClosing) {
      this.sink.endTag(this.tagName);
      if (this.depth === 0) this.rootClosed = true;
    } else {
      const d = this.depth++;
      this.openNames[d] = this.tagName;
      this.openKnown[d] = this.tagKnown;
      this.openLines[d] = this.tagLine;
      this.openCols[d] = this.tagCol;
    }
    this.attributeCount = 0;
    this.attributesCut = false;
    this.inTag = false;
  }

  /** An element below MAX_DEPTH: reported once, then only counted, so that its end tag is matched. */
  private skipDeepStartTag(selfClosing: boolean): void {
    if (this.excessDepth === 0 && !this.reportedDeep) {
      this.reportedDeep = true;
      this.problem('xml-syntax', this.tagSpan(),
        `Elements are nested more than ${MAX_DEPTH} deep here (Alma's user records are under 10 deep): <${excerpt(this.tagName)}> and everything deeper is not checked.`);
    }
    if (!selfClosing) this.excessDepth++;
    this.attributeCount = 0;
    this.attributesCut = false;
    this.inTag = false;
  }

  private reportedDeep = false;

  // The names learned, the previous tag's and the current tag's (see run()).
  private readonly knownNames = new Map<string, KnownName>();
  private prevKnown: KnownName | null = null;
  private prevWasEnd = false;
  /** The current tag name's KnownName, or null: its name is tagName. */
  private tagKnown: KnownName | null = null;

  /** The current start tag's name, read the general way, becomes what follows the previous tag. */
  private learnName(name: string): void {
    let known = this.knownNames.get(name);
    if (known === undefined) {
      if (this.knownNames.size >= MAX_PREDICTED) return;
      known = { name, bytes: wordBytes(name), afterStart: null, afterEnd: null, firstAttribute: null };
      this.knownNames.set(name, known);
    }
    const prev = this.prevKnown;
    if (prev !== null) {
      if (this.prevWasEnd) prev.afterEnd = known;
      else prev.afterStart = known;
    }
    this.tagKnown = known;
  }

  private emitEndTag(): void {
    const name = this.tagName;
    this.inTag = false;
    // An end tag read the general way (rare: cut by a chunk, or not the open element's) is looked up.
    this.prevKnown = this.tagKnown ?? this.knownNames.get(name) ?? null;
    this.prevWasEnd = true;
    if (this.excessDepth > 0) {
      // Below the tracked depth names are not kept: any end tag closes the deepest element.
      this.excessDepth--;
      return;
    }
    const top = this.depth - 1;
    if (top >= 0 && this.openNames[top] === name) {
      this.depth--;
      this.sink.endTag(name);
    } else {
      // At most MAX_DEPTH names to look through: recovery stays linear in the file.
      let match = top;
      while (match >= 0 && this.openNames[match] !== name) match--;
      if (match < 0) {
        const open = top >= 0 ? this.openNames[top] : '';
        if (open && looksMisspelt(name, open)) {
          // A misspelt end tag (</lastname> for <last_name>) most likely closes the open element:
          // closing it keeps the following siblings from being misread as its children.
          this.problem('xml-syntax', this.tagSpan(), `The end tag </${excerpt(name)}> does not match the open element <${excerpt(open)}>: write </${excerpt(open)}>.`);
          this.depth--;
          this.sink.endTag(open);
          if (this.depth === 0) this.rootClosed = true;
          return;
        }
        const expected = open ? ` (the open element is <${excerpt(open)}>)` : '';
        this.problem('xml-syntax', this.tagSpan(), `The end tag </${excerpt(name)}> matches no open element${expected}.`);
        return;
      }
      // Close what was left open, so the structure below stays checkable.
      while (this.depth - 1 > match) {
        const open = this.openNames[this.depth - 1];
        this.problem('xml-syntax', this.openSpan(this.depth - 1), `<${excerpt(open)}> is not closed before </${excerpt(name)}>.`);
        this.depth--;
        this.sink.endTag(open);
      }
      this.depth--;
      this.sink.endTag(name);
    }
    if (this.depth === 0) this.rootClosed = true;
  }

  /** A token (a name, an attribute value, a text run) starts at byte i, at (line, col). */
  private beginName(i: number, line: number, col: number): void {
    this.beginToken(i);
    // A byte past this chunk is judged when it arrives, by the loop that reads it.
    this.tokAscii = i >= this.chunk.length || this.chunk[i] < 0x80;
    this.tokLine = line;
    this.tokCol = col;
  }

  /** The element name just read becomes the current tag's. */
  private finishTagName(name: string, known: KnownName | null = null): void {
    this.tagName = name;
    this.tagKnown = known;
    this.tagLine = this.tokLine;
    this.tagCol = this.tokCol;
    this.inTag = true;
    this.endToken();
  }

  private makeAttributeArray(count: number): Attribute[] {
    const array = this.attributePool.slice(0, count);
    this.attributeArrays[count] = array;
    return array;
  }

  private attrSpan(): Span {
    return nameSpanAt(this.attrName, this.attrLine, this.attrCol);
  }

  private finishAttribute(valueEnd: number, endLine: number, endCol: number): void {
    const name = this.attrName;
    if (this.attributeCount >= MAX_ATTRIBUTES) {
      // Checked against at most MAX_ATTRIBUTES kept ones, the duplicate check stays linear in the tag.
      if (!this.attributesCut) {
        this.attributesCut = true;
        this.problem('xml-syntax', this.attrSpan(),
          `<${excerpt(this.tagName)}> has more than ${MAX_ATTRIBUTES} attributes; ${excerpt(name)} and those after it are not read.`);
      }
      this.endToken();
      return;
    }
    const length = this.tokenLength(valueEnd);
    const value = this.takeAttrValue(valueEnd);
    this.learnAttribute(name, value);
    this.storeAttribute(name, value, length > MAX_KEPT_BYTES, this.tokLine, this.tokCol, endLine, endCol);
    this.endToken();
  }

  private storeAttribute(name: string, value: string, truncated: boolean, valueLine: number, valueCol: number, endLine: number, endCol: number): void {
    let twice = false;
    for (let k = 0; k < this.attributeCount && !twice; k++) twice = this.attributePool[k].name === name;
    if (twice) {
      // Duplicates are not kept, so a tag may repeat one a million times: past the cap, format nothing.
      if (!this.muted()) this.problem('xml-syntax', this.attrSpan(), `Attribute ${excerpt(name)} appears twice on <${excerpt(this.tagName)}>.`);
    } else {
      const k = this.attributeCount++;
      const attribute = this.attributePool[k] ?? (this.attributePool[k] = new Attribute());
      attribute.name = name;
      attribute.line = this.attrLine;
      attribute.col = this.attrCol;
      attribute.value = value;
      attribute.valueLine = valueLine;
      attribute.valueCol = valueCol;
      attribute.valueEndLine = endLine;
      attribute.valueEndCol = endCol;
      attribute.truncated = truncated;
    }
  }

  /**
   * An attribute that starts at byte i (a name's first byte, ASCII) and is, byte for byte, the one
   * that came at this place in the tag last time: its length, once stored. When only its name is
   * that one, followed by `="` or `='`: minus the length up to the value's first byte, the value
   * left to read. 0 otherwise. Only names and values seen before are compared, and only values
   * of printable ASCII without '&', '<' or quotes are remembered: nothing the general way would
   * report is ever skipped.
   */
  private knownAttribute(view: DataView, buf: Uint8Array, i: number, n: number, line: number, col: number): number {
    if (this.attributeCount >= MAX_ATTRIBUTES) return 0;
    const expected = this.expectedAttribute();
    if (expected === null) return 0;
    const name = expected.name;
    const len = name.length;
    const eq = i + len;
    if (eq + 1 >= n || buf[eq] !== 0x3d) return 0;
    const quote = buf[eq + 1];
    if (quote !== 0x22 && quote !== 0x27) return 0;
    if (!bytesAt(view, buf, i, expected.nameBytes)) return 0;
    this.attrName = name;
    this.attrLine = line;
    this.attrCol = col;
    const start = eq + 2;
    const value = expected.value;
    if (value !== null) {
      const end = start + value.length;
      if (end < n && buf[end] === quote) {
        let k = 0;
        while (k < value.length && buf[start + k] === value.charCodeAt(k)) k++;
        if (k === value.length) {
          this.lastExpected = expected;
          this.storeAttribute(name, value, false, line, col + len + 2, line, col + (end - i));
          return end + 1 - i;
        }
      }
    }
    return i - start;
  }

  /**
   * The attribute that came last time first in a tag of this name (its KnownName's), or after
   * the previous attribute at this place (that one's next), and its value when it is short and
   * plain. Bounded by MAX_PREDICTED names and MAX_LEARNED_ATTRIBUTES attributes of each.
   */
  private lastExpected: ExpectedAttribute | null = null;

  private expectedAttribute(): ExpectedAttribute | null {
    if (this.attributeCount === 0) return this.tagKnown === null ? null : this.tagKnown.firstAttribute;
    return this.lastExpected === null ? null : this.lastExpected.next;
  }

  /** Remembers what knownAttribute() expects next time at this place. */
  private learnAttribute(name: string, value: string): void {
    const expected = this.expectedAttribute();
    // The same name with another value (a desc="..." that differs from user to user) is the common case.
    if (expected !== null && expected.name === name) {
      if (expected.value !== value) expected.value = plainValue(value);
      this.lastExpected = expected;
      return;
    }
    if (!isPlainAscii(name) || this.attributeCount >= MAX_LEARNED_ATTRIBUTES) {
      this.lastExpected = null;
      return;
    }
    if (expected !== null) {
      expected.name = name;
      expected.nameBytes = wordBytes(name);
      expected.value = plainValue(value);
      this.lastExpected = expected;
      return;
    }
    const learned: ExpectedAttribute = { name, nameBytes: wordBytes(name), value: plainValue(value), next: null };
    if (this.attributeCount === 0) {
      if (this.tagKnown !== null) this.tagKnown.firstAttribute = learned;
    } else if (this.lastExpected !== null) {
      this.lastExpected.next = learned;
    }
    this.lastExpected = this.attributeCount === 0 && this.tagKnown === null ? null : learned;
  }

  private finishDeclaration(endLine: number, endCol: number): void {
    const span: Span = { line: this.markLine, col: this.markCol, endLine, endCol };
    const text = this.piText;
    const target = /^[^\s?]*/.exec(text)![0];
    if (target.toLowerCase() !== 'xml') return;
    if (target !== 'xml') {
      this.problem('xml-syntax', span, `The XML declaration must be written "<?xml", not "<?${target}".`);
    }
    if (this.sawDeclaration || this.rootSeen || this.depth > 0) {
      this.problem('xml-syntax', span, 'The XML declaration may only appear at the very start of the file.');
      return;
    }
    this.sawDeclaration = true;
    if (this.markLine !== 0 || this.markCol !== 0) {
      this.problem('bom', { line: 0, col: 0, endLine: span.line, endCol: span.col },
        'Something stands before the XML declaration; it must be the very first thing in the file ("content is not allowed in prolog").');
    }
    const decl: XmlDeclaration = { span };
    const version = /\bversion\s*=\s*(["'])(.*?)\1/.exec(text);
    if (version) decl.version = version[2];
    else this.problem('xml-syntax', span, 'The XML declaration has no version (write <?xml version="1.0" encoding="UTF-8"?>).');
    const encoding = /\bencoding\s*=\s*(["'])(.*?)\1/.exec(text);
    if (encoding) {
      decl.encoding = encoding[2];
      const offset = encoding.index + encoding[0].length - encoding[2].length - 1; // index of the value in text
      decl.encodingSpan = offsetSpan(text, offset, encoding[2].length, this.markLine, this.markCol + 2);
    }
    this.sink.xmlDeclaration(decl);
  }

  // ---------------------------------------------------------------------------------------
  // UTF-8 validation (only ever reached for non-ASCII bytes or inside a multi-byte sequence)

  /**
   * Follows the UTF-8 sequences and says how many UTF-16 columns byte `b` takes, as an editor
   * counts them: a character's first byte takes one, the last byte of a 4-byte sequence the second
   * (its low surrogate), other continuation bytes none; a byte that is not UTF-8, or a sequence cut
   * short, is one U+FFFD.
   */
  private utf8(b: number, line: number, col: number): number {
    if (this.u8need > 0) {
      if (b >= this.u8lo && b <= this.u8hi) {
        this.u8need--;
        this.u8lo = 0x80;
        this.u8hi = 0xbf;
        if (this.u8second === 0) this.u8second = b;
        else if (this.u8need === 0 && this.u8lead === 0xef && this.u8second === 0xbf && (b === 0xbe || b === 0xbf)) {
          this.problem('invalid-char', { line: this.u8startLine, col: this.u8startCol, endLine: line, endCol: col },
            `The character U+FFF${b === 0xbe ? 'E' : 'F'} is not allowed in XML; one such character makes Alma abort the whole job.`);
        }
        return this.u8need === 0 && this.u8lead >= 0xf0 ? 1 : 0;
      }
      if (!this.muted()) this.problem('encoding', { line: this.u8startLine, col: this.u8startCol, endLine: line, endCol: col },
        `Invalid UTF-8: the byte sequence starting with ${describeByte(this.u8lead)} is cut short. Is the file saved in another encoding (Latin-1, Windows-1252)? Alma needs UTF-8.`);
      this.u8need = 0;
      if (b < 0x80) return 1;
    }
    // The bounds of the second byte are the lead's own: those of a cut-short E0, ED, F0 or F4
    // made the next valid character (日 after E0 80) look invalid.
    this.u8lo = 0x80;
    this.u8hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      this.u8need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      this.u8need = 2;
      if (b === 0xe0) this.u8lo = 0xa0;
      else if (b === 0xed) this.u8hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      this.u8need = 3;
      if (b === 0xf0) this.u8lo = 0x90;
      else if (b === 0xf4) this.u8hi = 0x8f;
    } else {
      if (this.muted()) return 1;
      const what = b >= 0x80 && b <= 0xbf ? 'a continuation byte with no lead byte' : 'a byte that never occurs in UTF-8';
      this.problem('encoding', { line, col, endLine: line, endCol: col + 1 },
        `Invalid UTF-8: byte ${describeByte(b)} is ${what}. Is the file saved in another encoding (Latin-1, Windows-1252)? Alma needs UTF-8.`);
      return 1;
    }
    this.u8lead = b;
    this.u8second = 0;
    this.u8startLine = line;
    this.u8startCol = col;
    return 1;
  }

  // ---------------------------------------------------------------------------------------
  // The byte loop

  private run(buf: Uint8Array, from: number): void {
    const n = buf.length;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let i = from;
    let line = this.line;
    let col = this.col;
    let state = this.state;
    while (i < n) {
      if (this.u8need === 0) {
        // Fast runs of printable ASCII: the bulk of every file.
        // Text, including LF line ends and tabs (a CR goes the generic way, for CRLF bookkeeping).
        if (state === S.Text && !(this.lastWasCr && buf[i] === 0x0a)) {
          // An indented file puts a line end and spaces before nearly every tag: nothing to keep
          // of them but the line and column of the '<'.
          if (buf[i] === 0x0a) {
            let j = i + 1;
            while (j < n && buf[j] === 0x20) j++;
            if (j < n && buf[j] === 0x3c) {
              line++;
              col = j - i - 1;
              i = j;
              this.lastWasCr = false;
            }
          }
          if (buf[i] !== 0x3c) {
            const start = i;
            let colBase = col - i; // the column of byte j on the current line is colBase + j
            let lastNonSpace = -1;
            let lastLine = 0;
            let lastEndCol = 0;
            let hasContent = this.textHasContent;
            let lineStart = start; // index where the current line began within this run
            while (i < n) {
              const c = buf[i];
              if (PRINTABLE[c] === 0) {
                if (c === 0x0a) {
                  // Settle the end of the text so far before its line number moves on.
                  if (lastNonSpace >= lineStart) {
                    lastLine = line;
                    lastEndCol = colBase + lastNonSpace + 1;
                  }
                  line++;
                  colBase = -(i + 1);
                  lineStart = i + 1;
                } else if (c !== 0x09) break;
              } else if (c === 0x3c || c === 0x26) {
                break;
              } else if (c !== 0x20) {
                if (!hasContent) {
                  this.startText(i, line, colBase + i);
                  hasContent = true;
                }
                // The rest of a line of plain text in one pass; its last non-space byte found after.
                let j = i + 1;
                while (j < n && TEXT_RUN[buf[j]] === 1) j++;
                let last = j - 1;
                while (buf[last] === 0x20) last--;
                lastNonSpace = last;
                i = j;
                continue;
              }
              i++;
            }
            if (lastNonSpace >= 0) {
              if (lastNonSpace >= lineStart) {
                lastLine = line;
                lastEndCol = colBase + lastNonSpace + 1;
              }
              this.textEndLine = lastLine;
              this.textEndCol = lastEndCol;
              this.textLastNonSpace = lastNonSpace + 1;
            }
            col = colBase + i;
            if (i !== start) this.lastWasCr = false;
            if (i >= n) break;
          }
        } else if (state === S.StartName || state === S.AttrName || (state === S.EndName && this.tokStart >= 0)) {
          const start = i;
          while (i < n) {
            const c = buf[i];
            if (c >= 0x80 || (NAME_CLASS[c] & 2) === 0) break;
            i++;
          }
          col += i - start;
          if (i !== start) this.lastWasCr = false;
          if (i >= n) break;
        } else if (state === S.AttrValue) {
          const start = i;
          const quote = this.quote;
          while (i < n) {
            const c = buf[i];
            if (PRINTABLE[c] === 0 || c === quote || c === 0x26 || c === 0x3c) break;
            i++;
          }
          col += i - start;
          if (i !== start) this.lastWasCr = false;
          if (i >= n) break;
        }
      }
      const b = buf[i];
      // The columns byte b takes (utf8()). A byte that is not UTF-8 is one, as the U+FFFD an editor
      // shows for it: counting a stray continuation byte (Latin-1 '°', a Windows-1252 quote) as
      // none shifted the rest of its line and left a text made of it without an end, and counting
      // a cut-short 4-byte sequence as two shifted it the other way.
      let width = 1;
      if (b >= 0x80 || this.u8need !== 0) {
        width = this.utf8(b, line, col);
      } else if (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && !this.muted()) {
        this.problem('invalid-char', { line, col, endLine: line, endCol: col + 1 },
          `The control character ${describeByte(b)} is not allowed in XML 1.0; one such character makes Alma abort the whole job.`);
      }

      switch (state) {
        case S.Text:
          if (b === 0x3c) {
            if (this.textHasContent) this.flushText(i);
            this.markLine = line;
            this.markCol = col;
            state = S.Lt;
            // Most markup is '<name' or '</name': enter the name directly.
            const next = i + 1 < n ? buf[i + 1] : 0;
            if (next < 0x80 && NAME_CLASS[next] & 1) {
              // A file repeats the same sequence of elements user after user: the name that
              // followed the previous tag last time is compared in one pass, instead of read as
              // a name and then looked up. Only a name followed by '>', '/' or a space or tab is
              // taken: anything else takes the general way, with its checks.
              const prev = this.prevKnown;
              const predicted = this.compareKnown && prev !== null ? (this.prevWasEnd ? prev.afterEnd : prev.afterStart) : null;
              if (predicted !== null) {
                const len = predicted.bytes.length;
                const after = i + 1 + len;
                if (after < n) {
                  const b2 = buf[after];
                  if (b2 === 0x3e || b2 === 0x20 || b2 === 0x2f || b2 === 0x09) {
                    if (bytesAt(view, buf, i + 1, predicted.bytes)) {
                      this.tokLine = line;
                      this.tokCol = col + 1;
                      this.finishTagName(predicted.name, predicted);
                      this.lastWasCr = false;
                      if (b2 === 0x3e) {
                        this.emitStartTag(false);
                        i = after + 1;
                        col += len + 2;
                        state = S.Text;
                      } else {
                        i = after;
                        col += len + 1;
                        state = S.InTag;
                      }
                      continue;
                    }
                  }
                }
              }
              state = S.StartName;
              this.beginName(i + 1, line, col + 1);
              i += 2;
              col += 2;
              this.lastWasCr = false;
              continue;
            }
            if (next === 0x2f && this.excessDepth === 0 && this.depth > 0 && this.compareKnown) {
              // Nearly every end tag is `</open>` for the open element: compared with its name in
              // one pass, instead of read as a name and then compared.
              const open = this.openKnown[this.depth - 1];
              const gt = open === null ? n : i + 2 + open.bytes.length;
              if (open !== null && gt < n && buf[gt] === 0x3e) {
                const len = open.bytes.length;
                if (bytesAt(view, buf, i + 2, open.bytes)) {
                  this.tokLine = line;
                  this.tokCol = col + 2;
                  this.finishTagName(open.name, open);
                  this.emitEndTag();
                  i = gt + 1;
                  col += len + 3;
                  state = S.Text;
                  this.lastWasCr = false;
                  continue;
                }
              }
            }
            if (next === 0x2f && i + 2 < n && buf[i + 2] < 0x80 && NAME_CLASS[buf[i + 2]] & 1) {
              state = S.EndName;
              this.beginName(i + 2, line, col + 2);
              i += 3;
              col += 3;
              this.lastWasCr = false;
              continue;
            }
          } else if (b === 0x26) {
            if (!this.textHasContent) this.startText(i, line, col);
            this.textHasAmp = true;
            this.textEndLine = line;
            this.textEndCol = col + 1;
            this.textLastNonSpace = i + 1;
            this.entityReturn = S.Text;
            this.entityText = '';
            this.entityLine = line;
            this.entityCol = col;
            state = S.Entity;
          } else if (!isSpace(b)) {
            if (!this.textHasContent) this.startText(i, line, col);
            if (b >= 0x80) this.tokAscii = false;
            if (width > 0) {
              this.textEndLine = line;
              this.textEndCol = col + width;
            }
            this.textLastNonSpace = i + 1;
          }
          break;

        case S.Lt:
          if (NAME_CLASS[b] & 1) {
            state = S.StartName;
            this.beginName(i, line, col);
          } else if (b === 0x2f) {
            state = S.EndName;
            this.tokStart = -1;
          } else if (b === 0x21) {
            state = S.Bang;
            this.bang = '';
          } else if (b === 0x3f) {
            state = S.Pi;
            this.piText = '';
            this.runCount = 0;
          } else {
            if (!this.muted()) this.problem('xml-syntax', { line: this.markLine, col: this.markCol, endLine: this.markLine, endCol: this.markCol + 1 },
              'A "<" in text must be written "&lt;".');
            state = S.Text;
            continue; // the byte after '<' is ordinary text
          }
          break;

        case S.StartName:
          if (NAME_CLASS[b] & 2) {
            if (b >= 0x80) this.tokAscii = false;
          } else {
            const ascii = this.tokAscii && this.carry.length === 0;
            this.finishTagName(this.takeName(i));
            if (ascii) this.learnName(this.tagName);
            if (b === 0x3e) {
              this.emitStartTag(false);
              state = S.Text;
            } else {
              state = S.InTag;
              if (!isSpace(b)) continue;
            }
          }
          break;

        case S.InTag:
          if (b === 0x3e) {
            this.emitStartTag(false);
            state = S.Text;
          } else if (b === 0x2f) {
            state = S.Slash;
          } else if (NAME_CLASS[b] & 1) {
            const known = b < 0x80 && this.compareKnown ? this.knownAttribute(view, buf, i, n, line, col) : 0;
            if (known > 0) {
              // The whole attribute, name and value, is what it was last time: read.
              i += known;
              col += known;
              this.lastWasCr = false;
              continue;
            }
            if (known < 0) {
              // The name is the one expected and its value starts after `="`.
              this.quote = buf[i - known - 1];
              this.attrHasAmp = false;
              this.beginName(i - known, line, col - known);
              i -= known;
              col -= known;
              this.lastWasCr = false;
              state = S.AttrValue;
              continue;
            }
            this.beginName(i, line, col);
            state = S.AttrName;
          } else if (b === 0x3c) {
            this.problem('xml-syntax', this.tagSpan(), `The tag <${excerpt(this.tagName)}> is not closed with ">".`);
            this.emitStartTag(false);
            state = S.Text;
            continue;
          } else if (!isSpace(b) && !this.muted()) {
            this.problem('xml-syntax', { line, col, endLine: line, endCol: col + 1 },
              `Unexpected "${String.fromCharCode(b)}" in the tag <${excerpt(this.tagName)}>.`);
          }
          break;

        case S.AttrName:
          if (NAME_CLASS[b] & 2) {
            if (b >= 0x80) this.tokAscii = false;
          } else {
            this.attrName = this.takeName(i);
            this.attrLine = this.tokLine;
            this.attrCol = this.tokCol;
            this.endToken();
            if (b === 0x3d) {
              state = S.BeforeAttrValue;
            } else {
              state = S.AfterAttrName;
              if (!isSpace(b)) continue;
            }
          }
          break;

        case S.AfterAttrName:
          if (b === 0x3d) {
            state = S.BeforeAttrValue;
          } else if (!isSpace(b)) {
            this.problem('xml-syntax', this.attrSpan(), `Attribute ${excerpt(this.attrName)} has no value (write ${excerpt(this.attrName)}="...").`);
            state = S.InTag;
            continue;
          }
          break;

        case S.BeforeAttrValue:
          if (b === 0x22 || b === 0x27) {
            this.quote = b;
            this.attrHasAmp = false;
            this.beginName(i + 1, line, col + 1);
            state = S.AttrValue;
          } else if (b === 0x3e || b === 0x2f) {
            this.problem('xml-syntax', this.attrSpan(), `Attribute ${excerpt(this.attrName)} has no value (write ${excerpt(this.attrName)}="...").`);
            state = S.InTag;
            continue;
          } else if (!isSpace(b)) {
            this.problem('xml-syntax', { line, col, endLine: line, endCol: col + 1 },
              `The value of attribute ${excerpt(this.attrName)} must be in quotes.`);
            this.attrHasAmp = false;
            this.beginName(i, line, col);
            state = S.AttrUnquoted;
          }
          break;

        case S.AttrValue:
          if (b === this.quote) {
            this.finishAttribute(i, line, col);
            state = S.InTag;
          } else if (b === 0x26) {
            this.attrHasAmp = true;
            this.entityReturn = S.AttrValue;
            this.entityText = '';
            this.entityLine = line;
            this.entityCol = col;
            state = S.Entity;
          } else {
            if (b === 0x3c && !this.muted()) {
              this.problem('xml-syntax', { line, col, endLine: line, endCol: col + 1 },
                `A "<" is not allowed in the value of attribute ${excerpt(this.attrName)} (write "&lt;"; or is a closing quote missing?).`);
            }
            if (b >= 0x80) this.tokAscii = false;
          }
          break;

        case S.AttrUnquoted:
          if (isSpace(b) || b === 0x3e || b === 0x2f) {
            this.finishAttribute(i, line, col);
            state = S.InTag;
            continue;
          }
          if (b >= 0x80) this.tokAscii = false;
          break;

        case S.Slash:
          if (b === 0x3e) {
            this.emitStartTag(true);
            state = S.Text;
          } else {
            this.problem('xml-syntax', { line, col, endLine: line, endCol: col + 1 }, `Expected ">" after "/" in the tag <${excerpt(this.tagName)}>.`);
            state = S.InTag;
            continue;
          }
          break;

        case S.EndName:
          if (this.tokStart < 0 && this.carry.length === 0) {
            if (NAME_CLASS[b] & 1) {
              this.beginName(i, line, col);
            } else {
              this.problem('xml-syntax', { line: this.markLine, col: this.markCol, endLine: line, endCol: col + 1 },
                'An end tag must start with a name right after "</".');
              state = S.Text;
              if (b === 0x3c) continue;
            }
          } else if (NAME_CLASS[b] & 2) {
            if (b >= 0x80) this.tokAscii = false;
          } else {
            this.finishTagName(this.takeEndName(i));
            if (b === 0x3e) {
              this.emitEndTag();
              state = S.Text;
            } else {
              state = S.AfterEndName;
              continue;
            }
          }
          break;

        case S.AfterEndName:
          if (b === 0x3e) {
            this.emitEndTag();
            state = S.Text;
          } else if (b === 0x3c) {
            this.problem('xml-syntax', this.tagSpan(), `The end tag </${excerpt(this.tagName)}> is not closed with ">".`);
            this.emitEndTag();
            state = S.Text;
            continue;
          } else if (!isSpace(b) && !this.muted()) {
            this.problem('xml-syntax', { line, col, endLine: line, endCol: col + 1 },
              `Unexpected "${String.fromCharCode(b)}" in the end tag </${excerpt(this.tagName)}>.`);
          }
          break;

        case S.Bang: {
          this.bang += String.fromCharCode(b);
          const bang = this.bang;
          if (bang === '--') {
            state = S.Comment;
            this.runCount = 0;
          } else if (bang === '[CDATA[') {
            if (this.depth === 0) {
              this.problem('xml-syntax', this.markSpan(9), 'A CDATA section is not allowed outside the root element.');
            }
            state = S.Cdata;
            this.runCount = 0;
            this.beginName(i + 1, line, col + 1);
          } else if (bang === 'DOCTYPE') {
            this.problem('doctype', this.markSpan(9),
              'A DOCTYPE declaration is not allowed in an Alma user file. Its entities are never expanded and nothing it names is fetched; remove it.');
            state = S.Doctype;
            this.doctypeDepth = 0;
            this.doctypeQuote = 0;
            this.doctypeOpener = 0;
            this.doctypeComment = false;
            this.doctypePi = false;
            this.runCount = 0;
          } else if (!'--'.startsWith(bang) && !'[CDATA['.startsWith(bang) && !'DOCTYPE'.startsWith(bang)) {
            const isDecl = /^[A-Z]/.test(bang);
            this.problem(isDecl ? 'doctype' : 'xml-syntax', { line: this.markLine, col: this.markCol, endLine: line, endCol: col + 1 },
              isDecl ? 'Markup declarations (<!ENTITY, <!ELEMENT...) are not allowed in an Alma user file.' : 'Unknown markup after "<!": expected a comment "<!--" or "<![CDATA[".');
            state = S.Doctype; // skip to the closing '>'
            this.doctypeDepth = 0;
            this.doctypeQuote = 0;
            this.doctypeOpener = 0;
            this.doctypeComment = false;
            this.doctypePi = false;
          }
          break;
        }

        case S.Comment:
          if (b === 0x2d) {
            this.runCount++;
          } else {
            if (b === 0x3e && this.runCount >= 2) state = S.Text;
            this.runCount = 0;
          }
          break;

        case S.Cdata:
          if (b === 0x5d) {
            this.runCount++;
          } else {
            if (b === 0x3e && this.runCount >= 2) {
              this.emitCdata(i, line, col - 2);
              state = S.Text;
            } else if (b >= 0x80) {
              this.tokAscii = false;
            }
            this.runCount = 0;
          }
          break;

        case S.Pi:
          if (b === 0x3e && this.runCount === 1) {
            this.finishDeclaration(line, col + 1);
            state = S.Text;
          } else {
            this.runCount = b === 0x3f ? 1 : 0;
            if (this.piText.length < 4096) this.piText += String.fromCharCode(b);
          }
          break;

        case S.Doctype:
          // A comment or PI in the internal subset may hold quotes, brackets and "]>": none of them count.
          if (this.doctypeComment) {
            if (b === 0x2d) {
              this.runCount++;
            } else {
              if (b === 0x3e && this.runCount >= 2) this.doctypeComment = false;
              this.runCount = 0;
            }
            break;
          }
          if (this.doctypePi) {
            if (b === 0x3e && this.runCount === 1) this.doctypePi = false;
            else this.runCount = b === 0x3f ? 1 : 0;
            break;
          }
          if (this.doctypeQuote === 0) {
            if (b === 0x3f && this.doctypeOpener === 1) {
              // "<?": the "?" opens the PI, so it is not the first half of its "?>".
              this.doctypeOpener = 0;
              this.doctypePi = true;
              this.runCount = 0;
              break;
            }
            this.doctypeOpener = b === COMMENT_OPENER[this.doctypeOpener] ? this.doctypeOpener + 1 : b === 0x3c ? 1 : 0;
            if (this.doctypeOpener === COMMENT_OPENER.length) {
              this.doctypeOpener = 0;
              this.doctypeComment = true;
              this.runCount = 0;
              break;
            }
          }
          if (this.doctypeQuote !== 0) {
            if (b === this.doctypeQuote) this.doctypeQuote = 0;
          } else if (b === 0x22 || b === 0x27) {
            this.doctypeQuote = b;
          } else if (b === 0x5b) {
            this.doctypeDepth++;
          } else if (b === 0x5d) {
            if (this.doctypeDepth > 0) this.doctypeDepth--;
          } else if (b === 0x3e && this.doctypeDepth === 0) {
            state = S.Text;
          }
          break;

        case S.Entity:
          if (b === 0x3b) {
            const ref = this.entityText;
            const verdict = checkEntityReference(ref);
            if (verdict) {
              const span: Span = { line: this.entityLine, col: this.entityCol, endLine: line, endCol: col + 1 };
              this.problem(verdict.rule, span, verdict.message);
            }
            state = this.entityReturn;
          } else if (this.entityText.length < 32 && (NAME_CLASS[b] & 2 || (b === 0x23 && this.entityText === ''))) {
            this.entityText += String.fromCharCode(b);
          } else {
            if (!this.muted()) this.problem('xml-syntax', { line: this.entityLine, col: this.entityCol, endLine: this.entityLine, endCol: this.entityCol + 1 },
              'A bare "&" must be written "&amp;" (Alma: "The reference to entity must end with the \';\' delimiter").');
            state = this.entityReturn;
            continue;
          }
          // Entity characters are part of the surrounding text or value.
          if (this.entityReturn === S.Text) {
            this.textEndLine = line;
            this.textEndCol = col + 1;
            this.textLastNonSpace = i + 1;
          }
          break;

        case S.Dead:
          return;
      }

      // Advance the position past byte i.
      if (b === 0x0a) {
        if (!this.lastWasCr) line++;
        col = 0;
        this.lastWasCr = false;
      } else if (b === 0x0d) {
        line++;
        col = 0;
        this.lastWasCr = true;
      } else {
        this.lastWasCr = false;
        col += width;
      }
      i++;
    }
    this.line = line;
    this.col = col;
    this.state = state;
  }

  private startText(i: number, line: number, col: number): void {
    this.textHasContent = true;
    this.textHasAmp = false;
    this.beginName(i, line, col);
  }

  private emitCdata(end: number, line: number, col: number): void {
    const t = this.textToken;
    t.line = this.tokLine;
    t.col = this.tokCol;
    t.endLine = line;
    t.endCol = col;
    t.byteLength = Math.max(0, this.tokenLength(end) - 2);
    t.plainAscii = this.tokAscii;
    t.truncated = t.byteLength > MAX_KEPT_BYTES;
    t.cdata = true;
    this.pendingTextEnd = end;
    t.cached = null;
    if (this.depth > 0 && this.excessDepth === 0) this.sink.text(t);
    this.endToken();
  }
}

/** The reusable text event; `value()` decodes lazily because most texts only need their length. */
class TextToken implements ScanText {
  line = 0;
  col = 0;
  endLine = 0;
  endCol = 0;
  byteLength = 0;
  plainAscii = true;
  truncated = false;
  cdata = false;
  cached: string | null = null;

  constructor(private readonly scanner: XmlScanner) {}

  value(): string {
    return (this.cached ??= this.scanner.materializeText());
  }

  sharedValue(): string {
    return (this.cached ??= this.scanner.materializeSharedText());
  }
}

/** The span of `length` characters at `offset` in a short string that starts at (line, col). */
function offsetSpan(text: string, offset: number, length: number, line: number, col: number): Span {
  let l = line;
  let c = col;
  for (let k = 0; k < offset; k++) {
    if (text.charCodeAt(k) === 10) {
      l++;
      c = 0;
    } else c++;
  }
  return { line: l, col: c, endLine: l, endCol: c + length };
}

/** Scans a whole buffer at once: the path for an editor buffer or a small file. */
export function scanBytes(bytes: Uint8Array, sink: ScanSink): void {
  const scanner = new XmlScanner(sink);
  scanner.write(bytes);
  scanner.end();
}
