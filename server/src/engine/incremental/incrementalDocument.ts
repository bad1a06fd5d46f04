import type { TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { XmlScanner } from '../xml/scanner';
import { startTagText } from '../xml/markup';
import type { ValidationSettings } from '../config/types';
import type { Finding } from '../rules/finding';
import type { Position, Range } from '../text/span';
import { DocumentChecker, type SetState } from '../validation/documentChecker';
import { FindingCollector, KeptRun, type KeptPlacement, type KeptSlot } from '../validation/findingCollector';
import { IdentifierRegistry, userLabel, type IdentifierUse } from '../validation/identifiers';
import { primaryOf, takeIdentifiers } from '../validation/userClashes';
import type { DocumentResult } from '../validation/results';
import { SegmentRecorder, type ElementRecord, type UserRecord } from './segmentRecorder';
import { EditableText } from './editableText';

/**
 * What a document's set knows before it: the earlier files (in load order) whose users took
 * identifiers first, and the schema version the set started with.
 */
export interface EarlierFiles {
  /** Display paths, in load order. */
  paths: string[];
  /** The identifiers they hold (first holder wins); documentIndex points into `paths`. */
  holders: IdentifierUse[];
  version: 1 | 2 | null;
  versionPath: string | null;
  /** How messages name the set when it is not simply the files given together: "the STUDENTS feed". */
  setName?: string;
}

export const NO_EARLIER_FILES: EarlierFiles = { paths: [], holders: [], version: null, versionPath: null };

/** A user of the document as the set sees it: its identifiers, and whether it repeats its own. */
export interface UserIdentifiers {
  uses: IdentifierUse[];
  repeats: boolean;
  label: string;
}

export interface IncrementalStats {
  /** Whole-document scans (the first validation, and edits that crossed structure outside users). */
  fullScans: number;
  /** Single-element re-checks. */
  elementScans: number;
  /** Users the last combination of the pieces took through the identifier registry (those sharing a key). */
  contestedUsers: number;
}

/** An edit inside one element, noted before the text changes. */
interface TrackedEdit {
  /** The element's index. */
  k: number;
  /** Where the text after the edit started before it. */
  oldEnd: Position;
  /** Where that text starts after it (an offset in the edited text). */
  newEndOffset: number;
  delta: number;
}

/** One child of the root, with where its text starts now. */
interface Element extends ElementRecord {
  offset: number;
  dirty: boolean;
  /** Place among the root's children, and (for a user) among the users, from 1: messages name users by it. */
  index: number;
  ordinal: number;
  /**
   * Where the element started when its findings were recorded; -1 when one of them lies before
   * that (then every edit before the element rewrites them). An edit before the element moves its
   * position and identifiers, not its findings: those are placed where they are now only when read
   * (combine() does not keep what it places, settle() does), since rewriting a 100k-user document's
   * findings on every typed line break cost about 100 ms a keystroke. Today only a root left open
   * is reported before its element (at the root's start tag, held by the last element), and every
   * edit of such a document is a full scan; the moves for -1 keep a later rule's findings right.
   */
  foundLine: number;
  foundCol: number;
  /** How many of its user's identifier keys are contested (see IdentifierIndex). */
  contestedKeys: number;
}

/**
 * The document's identifier index: the users holding each identifier key. Only users that share
 * a key with another (or with an earlier file of the set) can clash, so only they are walked
 * through the registry when the pieces are combined; the others neither clash nor take. Kept per
 * user and per block as counts, so that combine() finds them without a walk of every key (a
 * document that repeats an earlier file's 100k users has 300k contested keys).
 */
interface IdentifierIndex {
  holders: Map<string, Element[]>;
  contested: Set<string>;
  /** Elements per block (see BLOCK_ELEMENTS). */
  blockElements: number;
  /** Per block, how many of its users hold a contested key. */
  contestedUsers: number[];
}

/**
 * Well-formedness problems a document may hold and still be checked piece by piece: the scanner
 * stops formatting them at 1000 per file, a cap that only a whole scan counts right.
 */
const MAX_PROBLEMS_FOR_PIECES = 900;

/** Deeper nesting is reported once per file by the scanner: such a file is always scanned whole. */
const MAX_DEPTH_FOR_PIECES = 48;

/** The root's children can be re-checked one by one only inside these roots (see canCheckAlone). */
const INCREMENTAL_ROOTS = new Set(['users', 'userRecords']);

/**
 * Characters a sliced whole scan reads between pauses: about 100 users, a few milliseconds of
 * scanning, so a hover waits little while a 10k-user document is validated again.
 */
const FULL_SCAN_SLICE_CHARS = 1 << 18;

/** Elements taken between pauses once a sliced scan has read the text (about 10 ms of work). */
const ADOPT_BATCH = 2000;

/**
 * Elements per block of kept findings folded for combine() (KeptRun): an edit folds its block
 * again (a few hundred users), and combine() adds a step per block and kind of finding instead of
 * a step per finding.
 */
const BLOCK_ELEMENTS = 256;

/** A whole-document scan under way: the scanner fed, the recorder and checker it feeds. */
interface FullScan {
  recorder: SegmentRecorder;
  checker: DocumentChecker;
  scanner: XmlScanner;
}

/**
 * Validation of an editor buffer that follows its edits: the document is kept as a prologue, the
 * root's children (users) and an epilogue; an edit inside one user re-checks that user alone,
 * with the real scanner and checker started inside the root at the user's position, and the
 * results are combined in document order (identifiers across users recomputed over the kept
 * per-user lists). The result always equals validateText of the same text (the property test in
 * test/engine/incremental holds it to that); whatever this cannot prove safe is a full scan.
 *
 * An element's text runs from its '<' to the next element's '<' (the last one's to the root's
 * end tag), so that white space typed between users is still an edit inside one.
 */
export class IncrementalDocument {
  private readonly doc: EditableText;
  private elements: Element[] = [];
  private dirty: Element[] = [];
  /** The elements' kept findings folded per block of elements; null where a block changed since. */
  private blocks: (KeptRun<Element> | null)[] = [];
  private userCount = 0;
  private index: IdentifierIndex;
  private earlierKeys = new Set<string>();
  /** What the earlier files hold, as a registry each combination goes on from (over()); made when first needed. */
  private earlierRegistry: IdentifierRegistry | null = null;
  private prologue: Finding[] = [];
  /** A root that is a user itself, and what was reported after its identifiers were taken. */
  private rootUser: UserRecord | null = null;
  private rootUserAfter: Finding[] = [];
  /** Well-formedness problems outside the root's children, and inside them (the sum of each child's). */
  private outsideProblems = 0;
  private insideProblems = 0;
  private rootTag = '';
  private rootName = '';
  /** Offset of the root's end tag; -1 when not known (then every edit is a full scan). */
  private epilogueOffset = -1;
  private schemaVersion: 1 | 2 | null = null;
  private needsFull = true;
  /** Counts update() and reconfigure() calls: a sliced scan begun before one of them is stale. */
  private changes = 0;
  /** The sliced whole scan under way, and the count of changes it began at. */
  private sliced: { changes: number; done: Promise<boolean> } | undefined;
  readonly stats: IncrementalStats = { fullScans: 0, elementScans: 0, contestedUsers: 0 };

  constructor(
    document: TextDocument | EditableText,
    readonly path: string,
    private settings: ValidationSettings,
    private earlier: EarlierFiles = NO_EARLIER_FILES,
    /** Elements per block of folded findings: the tests make it small, so that a few users make many blocks. */
    private readonly blockElements = BLOCK_ELEMENTS,
  ) {
    this.doc = document instanceof EditableText ? document : new EditableText(document.uri, document.languageId, document.version, document.getText());
    this.earlierKeys = new Set(earlier.holders.map((h) => h.key));
    this.index = this.newIndex();
  }

  private newIndex(): IdentifierIndex {
    return { holders: new Map(), contested: new Set(), blockElements: this.blockElements, contestedUsers: [] };
  }

  /** The document's text as it follows the edits (a TextDocument for the language service). */
  get document(): EditableText {
    return this.doc;
  }

  /**
   * New settings or a new set context. New settings, or a set that starts with another schema
   * version, make the next validation scan everything; identifiers held by the earlier files only
   * change which users are combined through the registry.
   */
  reconfigure(settings: ValidationSettings, earlier: EarlierFiles = this.earlier): void {
    this.changes++;
    const sameSet = earlier.version === this.earlier.version && earlier.versionPath === this.earlier.versionPath;
    if (settings !== this.settings || !sameSet) this.needsFull = true;
    this.settings = settings;
    this.earlier = earlier;
    this.earlierKeys = new Set(earlier.holders.map((h) => h.key));
    this.earlierRegistry = null;
    for (const [key, list] of this.index.holders) this.markContested(this.index, key, list);
  }

  /** Applies LSP content changes (in order, each relative to the text before it); returns the new document. */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): EditableText {
    this.changes++;
    for (const change of changes) {
      let edit: TrackedEdit | null = null;
      if (!this.needsFull) {
        try {
          edit = this.track(change);
        } catch {
          this.needsFull = true; // the text is still updated below; the next validation scans it whole
        }
      }
      this.doc.apply(change, version);
      if (edit && !this.needsFull) {
        try {
          this.shiftAfter(edit);
        } catch {
          this.needsFull = true;
        }
      }
    }
    return this.doc;
  }

  /** Validates what the edits since the last call touched and returns the whole document's result. */
  validate(): DocumentResult {
    this.recheckDirty();
    if (this.needsFull) {
      const text = this.doc.text();
      const scan = this.beginFullScan();
      scan.scanner.write(Buffer.from(text, 'utf8'));
      const steps = this.adoptFullScan(scan);
      while (!steps.next().done);
    }
    return this.combine();
  }

  /**
   * As validate(), but a whole-document scan gives way to `pause` after each slice of the text, so
   * that a server answers hovers and takes edits while a big document is scanned. Returns null when
   * the document was edited or reconfigured meanwhile: what was scanned is then stale, and the
   * caller's next validation (scheduled by that edit) scans the new text. Validations that overlap
   * without an edit between them share one scan.
   */
  async validateInSlices(pause: () => Promise<void>, sliceChars = FULL_SCAN_SLICE_CHARS): Promise<DocumentResult | null> {
    const changes = this.changes;
    if (this.sliced?.changes !== changes) {
      this.recheckDirty();
      if (!this.needsFull) return this.combine();
      this.sliced = { changes, done: this.scanInSlices(pause, sliceChars) };
    }
    const scanned = await this.sliced.done;
    if (this.changes !== changes || !scanned) return null;
    return this.combine();
  }

  private async scanInSlices(pause: () => Promise<void>, sliceChars: number): Promise<boolean> {
    const changes = this.changes;
    // Read a slice at a time from the pieces: joining the whole text first (250 MB for a 100k-user
    // document) kept the server from answering for as long, and held a second copy of the text.
    const text = this.doc;
    const scan = this.beginFullScan();
    const step = Math.max(1, sliceChars);
    // Encoded a slice at a time into one buffer (the scanner copies what it keeps): the whole text
    // as UTF-8 at once doubles a big document's memory, and a buffer per slice is garbage that
    // makes the next collection slower. A UTF-16 unit is at most 3 bytes of UTF-8.
    const bytes = Buffer.allocUnsafe(3 * (step + 1));
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + step);
      // A slice ends between the two halves of a surrogate pair only to be encoded as two U+FFFD.
      if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
      const length = text.encodeInto(at, end, bytes);
      scan.scanner.write(bytes.subarray(0, length));
      at = end;
      if (at < text.length) {
        await pause();
        if (this.changes !== changes) return false;
      }
    }
    const steps = this.adoptFullScan(scan);
    while (!steps.next().done) {
      await pause();
      if (this.changes !== changes) return false;
    }
    return true;
  }

  /** The schema version found by the last validate(). */
  version(): 1 | 2 | null {
    return this.schemaVersion;
  }

  /** The users in document order with their identifiers, as of the last validate(). */
  users(): UserIdentifiers[] {
    if (this.rootUser) return [{ uses: this.rootUser.uses, repeats: this.rootUser.repeats, label: userLabel(primaryOf(this.rootUser.uses), 1) }];
    const users: UserIdentifiers[] = [];
    for (const element of this.elements) {
      if (!element.user) continue;
      users.push({ uses: element.user.uses, repeats: element.user.repeats, label: userLabel(primaryOf(element.user.uses), users.length + 1) });
    }
    return users;
  }

  // -------------------------------------------------------------------------------------
  // Edits

  /** Marks the element an edit falls in (before the text changes); null when the edit needs a full scan. */
  private track(change: TextDocumentContentChangeEvent): TrackedEdit | null {
    if (!('range' in change) || !change.range) {
      this.needsFull = true;
      return null;
    }
    const start = this.doc.offsetAt(change.range.start);
    const end = this.doc.offsetAt(change.range.end);
    const k = this.elementBefore(start);
    const element = k >= 0 ? this.elements[k] : undefined;
    const limit = k + 1 < this.elements.length ? this.elements[k + 1].offset : this.epilogueOffset;
    if (!element || end < start || end > limit || this.hasForeignFindings(k)) {
      this.needsFull = true;
      return null;
    }
    if (!element.dirty) {
      element.dirty = true;
      this.dirty.push(element);
    }
    return { k, oldEnd: this.doc.positionAt(end), newEndOffset: start + change.text.length, delta: change.text.length - (end - start) };
  }

  /**
   * Moves what follows an edit (after the text changed). Where the text after the edit now starts
   * is asked of the edited text, not worked out from the inserted characters: a CR typed before a
   * LF, a LF after a CR, or a deletion between the two joins two line breaks into one (or splits
   * one), which only the characters around the edit show.
   */
  private shiftAfter(edit: TrackedEdit): void {
    const { k, oldEnd, delta } = edit;
    const newEnd = this.doc.positionAt(edit.newEndOffset);
    const shift = new PositionShift(oldEnd, newEnd);
    if (delta === 0 && shift.lines === 0 && newEnd.character === oldEnd.character) return; // nothing after it moves
    for (let j = k + 1; j < this.elements.length; j++) {
      const next = this.elements[j];
      next.offset += delta;
      // An element on a later line keeps its positions when no line was added or removed.
      if (shift.lines !== 0 || next.line === oldEnd.line) shiftElement(next, shift, this.path);
      else if (next.foundLine < 0) next.gapAfter = shiftFindings(next.gapAfter, shift, this.path);
      if (next.foundLine < 0) this.unfold(next); // its findings were moved where they are kept
    }
    const edited = this.settle(this.elements[k]);
    edited.gapAfter = shiftFindings(edited.gapAfter, shift, this.path); // folded again when it is re-checked
    this.epilogueOffset += delta;
  }

  /** The element with its findings where they are now (see Element.foundLine). */
  private settle(element: Element): Element {
    const placed = placementOf(element, this.path);
    if (placed) {
      this.unfold(element);
      element.before = element.before.map((f) => placed.finding(f));
      element.after = element.after.map((f) => placed.finding(f));
      element.gapAfter = element.gapAfter.map((f) => placed.finding(f));
      element.foundLine = element.line;
      element.foundCol = element.col;
    }
    return element;
  }

  /** The last element that starts before `offset` (its '<' stays untouched), or -1. */
  private elementBefore(offset: number): number {
    let lo = 0;
    let hi = this.elements.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.elements[mid].offset < offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Findings kept with another piece but placed in this element's text, which a re-check of it
   * would not replace: what the root reported about the text between this element and the next
   * (text directly in the root is reported once per root), and what the scanner reported about
   * this element's start tag before the tag was complete (a stray quote in `<user'>`), which goes
   * with the gap before it (or the prologue). An edit there may change what is reported elsewhere.
   */
  private hasForeignFindings(k: number): boolean {
    const element = this.settle(this.elements[k]);
    const before = k > 0 ? this.settle(this.elements[k - 1]).gapAfter : this.prologue;
    if (element.gapAfter.length === 0 && before.length === 0) return false;
    const limit = k + 1 < this.elements.length ? this.elements[k + 1].offset : this.epilogueOffset;
    const inside = (f: Finding) => {
      const offset = this.doc.offsetAt(f.range.start);
      return offset >= element.offset && offset < limit;
    };
    return element.gapAfter.some(inside) || before.some(inside);
  }

  // -------------------------------------------------------------------------------------
  // Scans

  private newChecker(recorder: SegmentRecorder, registry: IdentifierRegistry): DocumentChecker {
    const set: SetState = { version: this.earlier.version, versionPath: this.earlier.versionPath };
    const checker = new DocumentChecker(this.path, this.settings, registry, set, { findings: recorder, observer: recorder });
    recorder.checker = checker;
    return checker;
  }

  /** Re-checks the users the edits touched; one that cannot be re-checked alone makes the next scan whole. */
  private recheckDirty(): void {
    if (!this.needsFull) {
      for (const element of this.dirty) {
        if (!this.recheck(element)) {
          this.needsFull = true;
          break;
        }
      }
    }
    this.dirty = [];
  }

  private beginFullScan(): FullScan {
    this.stats.fullScans++;
    const recorder = new SegmentRecorder();
    const checker = this.newChecker(recorder, new IdentifierRegistry());
    return { recorder, checker, scanner: new XmlScanner(recorder) };
  }

  /**
   * Takes the pieces of a whole scan of the document's text (all of it written to the scan's scanner). A
   * generator, so that a sliced scan gives way while the users are indexed too (about a tenth of
   * a whole validation): it yields between batches of elements and changes nothing of this
   * document's state until its last step, which commits everything at once.
   */
  private *adoptFullScan({ recorder, checker, scanner }: FullScan): Generator<void, void, void> {
    const text = this.doc;
    scanner.end();
    const result = checker.result();
    const elements = recorder.elements as Element[];
    let ordinal = 0;
    for (let index = 0; index < elements.length; index++) {
      // The recorder's records become the document's elements as they are: a copy of each costs as much again.
      const e = elements[index];
      e.offset = this.doc.offsetAt({ line: e.line, character: e.col });
      e.dirty = false;
      e.index = index;
      e.ordinal = e.user ? ++ordinal : 0;
      e.contestedKeys = 0;
      placeFindings(e, this.path);
      if ((index + 1) % ADOPT_BATCH === 0) yield;
    }
    const identifiers = this.newIndex();
    for (let index = 0; index < elements.length; index++) {
      this.indexIdentifiers(elements[index], 1, identifiers);
      if ((index + 1) % ADOPT_BATCH === 0) yield;
    }
    const rootName = recorder.root?.name ?? '';
    const piecewise = this.canCheckAlone(text, rootName, elements) && recorder.maxDepth < MAX_DEPTH_FOR_PIECES && recorder.problems < MAX_PROBLEMS_FOR_PIECES;
    yield;
    this.sliced = undefined;
    this.schemaVersion = result.schemaVersion;
    this.prologue = recorder.prologue;
    this.rootUser = recorder.rootUser;
    this.rootUserAfter = recorder.rootUserAfter;
    this.elements = elements;
    this.blocks = [];
    this.userCount = ordinal;
    this.index = identifiers;
    this.rootName = rootName;
    this.rootTag = recorder.root ? startTagText(recorder.root.name, recorder.root.attributes) : '';
    this.outsideProblems = recorder.outsideProblems;
    this.insideProblems = elements.reduce((sum, e) => sum + e.problems, 0);
    this.epilogueOffset = piecewise ? text.lastIndexOf(`</${this.rootName}`) : -1;
    if (this.elements.length > 0 && this.epilogueOffset < this.elements[this.elements.length - 1].offset) this.epilogueOffset = -1;
    // Every child was entered as a re-check enters it (at depth 1, in text), but the whole scan may
    // not have left the last one so: a comment, CDATA section or tag left open in it runs on through
    // the root's end tag (which is then not read as one) to the end of the file. A re-check that
    // closes it would then keep what the open state reported ("<users> is never closed"). The last
    // child scanned alone must read the root's end tag cleanly where the pieces say it is (whether
    // it could be re-checked alone itself does not matter here: that is asked when it is edited).
    if (this.epilogueOffset >= 0 && this.elements.length > 0 && !this.scanPiece(this.elements[this.elements.length - 1]).leftCleanly) this.epilogueOffset = -1;
    if (this.epilogueOffset < 0) this.elements.forEach((e) => (e.offset = Number.MAX_SAFE_INTEGER)); // no edit lands in one
    else this.doc.splitAt(this.elements.map((e) => e.offset));
    this.needsFull = false;
  }

  /** The root's children can be checked alone: a known root, a BOM-less text, positions that map to '<' + name. */
  private canCheckAlone(text: EditableText, rootName: string, elements: readonly Element[]): boolean {
    if (!INCREMENTAL_ROOTS.has(rootName) || text.charCodeAt(0) === 0xfeff) return false;
    return elements.every((e) => text.charCodeAt(e.offset) === 0x3c && text.slice(e.offset + 1, e.offset + 1 + e.name.length) === e.name);
  }

  /**
   * Re-checks one element on its own: its text between the root's start and end tags, scanned from
   * its position. The scanner is a deterministic machine that enters the element at depth 1 in
   * text, as in the whole document; if it also leaves it so (the root's end tag that follows is
   * then read without a problem), it reads the rest of the document as before, and the element's
   * findings, well-formedness problems included, are those of a whole scan. False otherwise, and
   * when other state could differ: text directly in the root, not exactly one element, another name
   * or position, a user no longer a user (or the reverse), deep nesting, the problem cap, or (in a
   * <userRecords> root, whose first child decides the version) a name other than the first child's.
   */
  private recheck(element: Element): boolean {
    const found = this.scanAlone(element);
    this.stats.elementScans++;
    if (!found || this.problemsWith(element, found.problems) >= MAX_PROBLEMS_FOR_PIECES) return false;
    this.indexIdentifiers(element, -1);
    this.settle(element); // its gapAfter stays
    this.unfold(element);
    element.before = found.before;
    element.after = found.after;
    placeFindings(element, this.path);
    element.user = found.user;
    this.insideProblems += found.problems - element.problems;
    element.problems = found.problems;
    element.dirty = false;
    this.indexIdentifiers(element, 1);
    return true;
  }

  /**
   * The element's text scanned on its own, inside a copy of the root's start tag and followed by
   * its end tag; `leftCleanly`: that end tag, and the end of the input, were read without a problem,
   * so the scanner left the text at depth 1, in text, as it entered it.
   */
  private scanPiece(element: Element): { recorder: SegmentRecorder; leftCleanly: boolean } {
    const k = element.index;
    const end = k + 1 < this.elements.length ? this.elements[k + 1].offset : this.epilogueOffset;
    const text = this.doc.slice(element.offset, end);
    const recorder = new SegmentRecorder();
    this.newChecker(recorder, new IdentifierRegistry());
    const scanner = new XmlScanner(recorder, { line: element.line, col: element.col - this.rootTag.length });
    scanner.write(Buffer.from(`${this.rootTag}${text}`, 'utf8'));
    const problemsInside = recorder.problems;
    scanner.write(Buffer.from(`</${this.rootName}>`, 'utf8'));
    scanner.end();
    return { recorder, leftCleanly: recorder.problems === problemsInside };
  }

  /** The element's text scanned on its own (see recheck); null when that cannot stand for a whole scan. */
  private scanAlone(element: Element): ElementRecord | null {
    const { recorder, leftCleanly } = this.scanPiece(element);
    const found = recorder.elements[0];
    if (!leftCleanly || recorder.rootText > 0 || recorder.elements.length !== 1 || found.name !== element.name
      || found.line !== element.line || found.col !== element.col || recorder.maxDepth >= MAX_DEPTH_FOR_PIECES) return null;
    if (this.rootName === 'userRecords' && found.name !== this.elements[0].name) return null;
    const from = { line: element.line, character: element.col };
    // Reported outside the element's events but placed in its text (a start tag left without its
    // '>' is reported before the element starts): a whole scan would put it elsewhere in the order.
    if (found.gapAfter.some((f) => comparePositions(f.range.start, from) >= 0)) return null;
    if (recorder.prologue.some((f) => comparePositions(f.range.start, from) >= 0)) return null;
    // A finding placed before the element is about the root (a <userRecords> root decided by its
    // first child reports there): the copy of the root is not the document's.
    const beforeElement = (f: Finding) => comparePositions(f.range.start, from) < 0;
    if (found.before.some(beforeElement) || found.after.some(beforeElement)) return null;
    if ((found.user === null) !== (element.user === null)) return null; // users are counted and numbered
    return found;
  }

  /** The document's well-formedness problems if `element` had `problems`. */
  private problemsWith(element: Element, problems: number): number {
    return this.outsideProblems + this.insideProblems - element.problems + problems;
  }

  /** Adds (+1) or removes (-1) a user's identifier keys in the index. */
  private indexIdentifiers(element: Element, sign: 1 | -1, index = this.index): void {
    const uses = element.user?.uses;
    if (!uses) return;
    for (let i = 0; i < uses.length; i++) {
      const key = uses[i].key;
      let repeated = false;
      for (let j = 0; j < i && !repeated; j++) repeated = uses[j].key === key;
      if (repeated) continue;
      let list = index.holders.get(key);
      if (sign > 0) {
        if (!list) index.holders.set(key, (list = []));
        list.push(element);
        if (index.contested.has(key)) countContested(index, element, 1);
      } else if (list) {
        list.splice(list.indexOf(element), 1);
        if (index.contested.has(key)) countContested(index, element, -1);
      }
      if (!list || list.length === 0) {
        index.holders.delete(key);
        index.contested.delete(key);
      } else {
        this.markContested(index, key, list);
      }
    }
  }

  /** Marks a key contested or not by its holders now, and counts it on them when that changed. */
  private markContested(index: IdentifierIndex, key: string, list: readonly Element[]): void {
    const contested = list.length > 1 || this.earlierKeys.has(key);
    if (contested === index.contested.has(key)) return;
    if (contested) index.contested.add(key);
    else index.contested.delete(key);
    for (const holder of list) countContested(index, holder, contested ? 1 : -1);
  }

  // -------------------------------------------------------------------------------------
  // Combining

  /** The pieces in report order through one collector; identifiers across users decided here. */
  private combine(): DocumentResult {
    const collector = new FindingCollector();
    const registry = IdentifierRegistry.over(this.earlierRegistry ??= registryOf(this.earlier));
    const documentIndex = registry.addDocument(this.path);
    // Looked at when the collector reaches them, so that clashes past their rule's cap are only counted.
    const counted = (rule: Finding['rule']) => collector.isFull(rule);
    const clashesOf = (user: UserRecord, ordinal: number): Finding[] => takeIdentifiers(registry, user, documentIndex, ordinal, this.settings, counted);
    addAll(collector, this.prologue);
    if (this.rootUser) {
      // Its children are not users: every finding in them names the root's user, as its clashes below do.
      for (const element of this.elements) {
        const placed = placementOf(element, this.path);
        addAll(collector, element.before, placed);
        addAll(collector, element.after, placed);
        addAll(collector, element.gapAfter, placed);
      }
    } else {
      this.addBlocks(collector, clashesOf);
    }
    // A root that is a user: only the earlier files' identifiers can clash with its own.
    if (this.rootUser) for (const finding of clashesOf(this.rootUser, 1)) collector.add(finding);
    addAll(collector, this.rootUserAfter);
    return { path: this.path, schemaVersion: this.schemaVersion, users: this.usersCounted(this.userCount), findings: collector.finish(), rejectedUsers: collector.rejectedUsers() };
  }

  /**
   * Each block's folded findings, with the identifiers of its contested users (only users that
   * share a key can clash) taken through the registry in document order, between a user's
   * findings before and after them as a whole scan reports them (`at` 2i and 2i+1 for element i).
   */
  private addBlocks(collector: FindingCollector, clashesOf: (user: UserRecord, ordinal: number) => Finding[]): void {
    const placed = (element: Element) => placementOf(element, this.path);
    this.stats.contestedUsers = 0;
    for (let b = 0; b * this.blockElements < this.elements.length; b++) {
      const slots: KeptSlot[] = [];
      if (this.index.contestedUsers[b] > 0) {
        for (let i = b * this.blockElements, end = Math.min(this.elements.length, i + this.blockElements); i < end; i++) {
          const element = this.elements[i];
          if (element.contestedKeys === 0) continue;
          slots.push({ at: 2 * i + 1, findings: () => clashesOf(element.user!, element.ordinal) });
          this.stats.contestedUsers++;
        }
      }
      collector.addRun(this.blockRun(b), placed, slots);
    }
  }

  /** Block b's kept findings, folded when it changed since the last time. */
  private blockRun(b: number): KeptRun<Element> {
    const folded = this.blocks[b];
    if (folded) return folded;
    const run = new KeptRun<Element>();
    for (let i = b * this.blockElements, end = Math.min(this.elements.length, i + this.blockElements); i < end; i++) {
      const element = this.elements[i];
      for (const finding of element.before) run.add(finding, element, 2 * i);
      for (const finding of element.after) run.add(finding, element, 2 * i + 1);
      for (const finding of element.gapAfter) run.add(finding, element, 2 * i + 1);
    }
    return (this.blocks[b] = run.seal());
  }

  /** Marks the element's block to be folded again: its findings were replaced. */
  private unfold(element: Element): void {
    this.blocks[Math.floor(element.index / this.blockElements)] = null;
  }

  /** A bare <user> root is a user the pieces do not hold. */
  private usersCounted(inElements: number): number {
    return this.rootName === 'user' || this.rootName === 'userRecord' ? 1 : inElements;
  }
}

function registryOf(earlier: EarlierFiles): IdentifierRegistry {
  const registry = new IdentifierRegistry();
  registry.setName = earlier.setName;
  for (const path of earlier.paths) registry.addDocument(path);
  for (const holder of earlier.holders) registry.adopt(holder);
  return registry;
}

/** Counts a contested key more (1) or less (-1) on a user, and the user on its block when that makes it contested or not. */
function countContested(index: IdentifierIndex, element: Element, step: 1 | -1): void {
  const was = element.contestedKeys > 0;
  element.contestedKeys += step;
  if (was !== element.contestedKeys > 0) {
    const b = Math.floor(element.index / index.blockElements);
    index.contestedUsers[b] = (index.contestedUsers[b] ?? 0) + (was ? -1 : 1);
  }
}

function addAll(collector: FindingCollector, findings: readonly Finding[], placed?: KeptPlacement): void {
  for (const finding of findings) collector.addKept(finding, placed);
}

/**
 * Notes where the element starts as where its findings were recorded, when all of them lie at or
 * after that start (its related places in this document too): only then does an edit before the
 * element move them all as it moves the element.
 */
function placeFindings(element: Element, path: string): void {
  const start = { line: element.line, character: element.col };
  const after = (r: Range) => comparePositions(r.start, start) >= 0 && comparePositions(r.end, start) >= 0;
  const inside = (f: Finding) => after(f.range) && f.related.every((r) => r.path !== path || after(r.range));
  const placed = element.before.every(inside) && element.after.every(inside) && element.gapAfter.every(inside);
  element.foundLine = placed ? element.line : -1;
  element.foundCol = element.col;
}

/** How the element's findings move to where they are now; undefined when they are there. */
function placementOf(element: Element, path: string): ElementMove | undefined {
  if (element.foundLine < 0 || (element.foundLine === element.line && element.foundCol === element.col)) return undefined;
  return new ElementMove(element.foundLine, element.foundCol, element.line, element.col, path);
}

/**
 * Moves positions at or after an element's start from where it started to where it starts now:
 * the edits before it moved its first line's columns with it, and every line by the same count.
 */
class ElementMove implements KeptPlacement {
  constructor(
    private readonly fromLine: number,
    private readonly fromCol: number,
    private readonly toLine: number,
    private readonly toCol: number,
    private readonly path: string,
  ) {}

  private position(p: Position): Position {
    return p.line === this.fromLine ? { line: this.toLine, character: p.character - this.fromCol + this.toCol } : { line: p.line - this.fromLine + this.toLine, character: p.character };
  }

  range(r: Range): Range {
    return { start: this.position(r.start), end: this.position(r.end) };
  }

  finding(f: Finding): Finding {
    const related = f.related.some((r) => r.path === this.path) ? f.related.map((r) => (r.path === this.path ? { ...r, range: this.range(r.range) } : r)) : f.related;
    return { ...f, range: this.range(f.range), related };
  }
}


function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Moves positions at or after an edit's old end to where they are after it. */
class PositionShift {
  readonly lines: number;

  constructor(private readonly oldEnd: Position, private readonly newEnd: Position) {
    this.lines = newEnd.line - oldEnd.line;
  }

  moves(line: number, col: number): boolean {
    return line > this.oldEnd.line ? this.lines !== 0 : line === this.oldEnd.line && col >= this.oldEnd.character && (this.lines !== 0 || this.newEnd.character !== this.oldEnd.character);
  }

  line(line: number, col: number): number {
    return line > this.oldEnd.line || (line === this.oldEnd.line && col >= this.oldEnd.character) ? line + this.lines : line;
  }

  col(line: number, col: number): number {
    return line === this.oldEnd.line && col >= this.oldEnd.character ? this.newEnd.character + (col - this.oldEnd.character) : col;
  }

  position(p: Position): Position {
    return this.moves(p.line, p.character) ? { line: this.line(p.line, p.character), character: this.col(p.line, p.character) } : p;
  }

  /** The same object when nothing moved. */
  range(r: Range): Range {
    const start = this.position(r.start);
    const end = this.position(r.end);
    return start === r.start && end === r.end ? r : { start, end };
  }
}

function shiftFindings(findings: Finding[], shift: PositionShift, path: string): Finding[] {
  if (findings.length === 0) return findings;
  return findings.map((f) => {
    const range = shift.range(f.range);
    let related = f.related;
    if (related.some((r) => r.path === path && shift.range(r.range) !== r.range)) {
      related = related.map((r) => (r.path === path ? { ...r, range: shift.range(r.range) } : r));
    }
    return range === f.range && related === f.related ? f : { ...f, range, related };
  });
}

/** Moves an element after an edit: its position and identifiers, and its findings only when they are kept where they are (foundLine -1). */
function shiftElement(element: Element, shift: PositionShift, path: string): void {
  const line = shift.line(element.line, element.col);
  element.col = shift.col(element.line, element.col);
  element.line = line;
  if (element.foundLine < 0) {
    element.before = shiftFindings(element.before, shift, path);
    element.after = shiftFindings(element.after, shift, path);
    element.gapAfter = shiftFindings(element.gapAfter, shift, path);
  }
  if (element.user) {
    for (const use of element.user.uses) {
      const endLine = shift.line(use.endLine, use.endCol);
      use.endCol = shift.col(use.endLine, use.endCol);
      use.endLine = endLine;
      const startLine = shift.line(use.line, use.col);
      use.col = shift.col(use.line, use.col);
      use.line = startLine;
    }
  }
}
