import type { ValidationSettings } from '../config/types';
import { readFileChunks } from '../files/inputs';
import type { Finding, FindingUser } from '../rules/finding';
import type { Position, Span } from '../text/span';
import { startTagText } from '../xml/markup';
import { XmlScanner, type ScanProblemRule, type ScanSink, type ScanStartTag, type ScanText, type XmlDeclaration } from '../xml/scanner';
import { DocumentChecker, type SetState, type UserObserver } from './documentChecker';
import { collapseKey, FindingCollector, MAX_FINDINGS_PER_DOCUMENT } from './findingCollector';
import { ruleDef } from '../rules/ruleTable';
import { IdentifierRegistry, keyHash, type IdentifierUse } from './identifiers';
import { KeySet } from './keyTable';

/**
 * The second half of a big file, validated on another thread (splitValidation.ts has the plan
 * and the first half). The half is scanned inside a copy of the root's start tag, from the cut's
 * line counted as line 0, with a checker that leaves identifiers across users to the first
 * thread; what it reports is recorded raw, in report order, for that thread to replay after its
 * own. Whatever could make the replay differ from one scan of the whole file makes the half
 * unsplittable instead, and the first thread reads on by itself.
 */

export interface SecondHalfRequest {
  file: string;
  /** The document's display path: messages and related locations name it. */
  path: string;
  /** Byte offset of the cut: the '<' of a user's start tag, with only spaces or tabs before it on its line. */
  cut: number;
  /** The cut's column (those spaces and tabs). */
  col: number;
  settings: ValidationSettings;
  /** The set as it was before this document. */
  set: SetState;
}

/**
 * What the half reported, positions counted from the cut's line, as a stream of events in report
 * order. Compact for the copy between threads: a finding that the first thread's collector would
 * collapse into an earlier one of this half is only its place, and the users' identifiers are
 * flat columns (a structured clone of one object per finding and identifier cost more than half
 * the scan).
 */
export interface SecondHalf {
  version: 1 | 2;
  users: number;
  /**
   * EVENT_INTS per event: the kind, then for FINDING the finding's index in `findings`; for
   * REPEAT the index of the finding it repeats, its range (line, col, end line, end col) and the
   * user it names (an index in `named`, -1: none); for USER the user's index.
   */
  events: Int32Array;
  /** The findings that are not repeats, raw (neither collapsed nor capped). */
  findings: Finding[];
  /** The users that findings name (one object per user: the report counts rejected users by it). */
  named: FindingUser[];
  /**
   * Per user: its index in `named` (-1: no finding names it), its identifiers' count (primary
   * first), flags: 1 = has a primary, 2 = repeats one of its own, 4 = shares a value with another
   * user of this half.
   */
  userNamed: Int32Array;
  useCounts: Int32Array;
  flags: Uint8Array;
  /** Per identifier: its type (an index in `typeNames`), its value's length in `values`, and line, col, end line, end col. */
  types: Int32Array;
  typeNames: string[];
  valueLengths: Int32Array;
  /** The identifiers' values one after the other. */
  values: string;
  spans: Int32Array;
  /** Per identifier: keyHash of its key, for the first thread's KeyFilter. */
  keyHashes: Int32Array;
}

export const EVENT_INTS = 7;
/** A finding reported. */
export const FINDING = 0;
/** A finding with the same collapse key as an earlier one of the half, at another place. */
export const REPEAT = 1;
/** A user closed: its identifiers are looked at against the earlier users' here. */
export const USER = 2;

export type SecondHalfMessage =
  | { kind: 'bytes'; bytes: number }
  | { kind: 'done'; half: SecondHalf }
  | { kind: 'unsplittable'; reason: string }
  | { kind: 'error'; message: string };

/** Findings (not repeats) a half may carry back: past this many the first thread's caps would drop most of them. */
const MAX_CARRIED_FINDINGS = 4 * MAX_FINDINGS_PER_DOCUMENT;

/** Events a half may carry back (24 bytes each): a user has a few; a hostile file is read on one thread. */
const MAX_EVENTS = 1 << 22;

/** The root's start tag is looked for in this much of the file's head. */
const HEAD_BYTES = 1 << 16;

/** Reads the half and reports what it found; `onBytes` hears of each chunk read. */
export async function scanSecondHalf(request: SecondHalfRequest, onBytes: (bytes: number) => void = () => {}, signal?: AbortSignal): Promise<SecondHalfMessage> {
  const prefix = await rootCopy(request.file, request.cut);
  if (typeof prefix !== 'string') return { kind: 'unsplittable', reason: prefix.reason };
  const recorder = new SecondHalfRecorder(request.path, request.col);
  const checker = new DocumentChecker(request.path, request.settings, new IdentifierRegistry(), { ...request.set }, { findings: recorder, observer: recorder });
  recorder.checker = checker;
  const scanner = new XmlScanner(recorder, { line: 0, col: request.col - prefix.length });
  scanner.write(Buffer.from(prefix, 'utf8'));
  const at = checker.betweenUsers();
  if (!at) return { kind: 'unsplittable', reason: 'the root does not hold users of a settled version' };
  recorder.rootRead(at.userElement);
  for await (const chunk of readFileChunks(request.file, request.cut)) {
    scanner.write(chunk);
    onBytes(chunk.length);
    if (recorder.reason) break;
    if (signal?.aborted) return { kind: 'error', message: 'stopped' };
  }
  if (!recorder.reason) scanner.end();
  if (recorder.reason) return { kind: 'unsplittable', reason: recorder.reason };
  return { kind: 'done', half: recorder.half(at.version) };
}

/** A position in the root's copy that a half is scanned inside (lines counted from the cut's), not in the half. */
export function beforeCut(p: Position, col: number): boolean {
  return p.line < 0 || (p.line === 0 && p.character < col);
}

/**
 * The root's start tag, written again, for a scan that starts at `cut` inside it; or why there is
 * none to write (the root is found in the file's head, and must not hold a line break, which would
 * move the lines of what follows).
 */
export async function rootCopy(file: string, cut: number): Promise<string | { reason: string }> {
  const root = await rootStartTag(file, Math.min(cut, HEAD_BYTES));
  if (!root) return { reason: 'the root start tag is not in the head of the file' };
  const prefix = startTagText(root.name, root.attributes);
  return /[\r\n]/.test(prefix) ? { reason: 'the root start tag holds a line break' } : prefix;
}

/** The root's name and attributes, from a scan of the file's head. */
async function rootStartTag(file: string, length: number): Promise<{ name: string; attributes: { name: string; value: string }[] } | null> {
  let found: { name: string; attributes: { name: string; value: string }[] } | null = null;
  const sink: ScanSink = {
    xmlDeclaration() {},
    startTag(tag) {
      found ??= { name: tag.name, attributes: tag.attributes.map((a) => ({ name: a.name, value: a.value })) };
    },
    endTag() {},
    text() {},
    problem() {},
  };
  const scanner = new XmlScanner(sink);
  for await (const chunk of readFileChunks(file, 0, length)) {
    scanner.write(chunk);
    if (found) break;
  }
  return found;
}

/**
 * Sits between the scanner and the checker, and takes the checker's findings and users. It notes
 * anything whose outcome would depend on the first half: text or another element directly in the
 * root (reported once per root), a well-formedness problem (the scanner's cap and messages count
 * and name the whole file), a finding about the root (already reported by the first half).
 */
class SecondHalfRecorder extends FindingCollector implements ScanSink, UserObserver {
  checker!: DocumentChecker;
  /** Why the half cannot stand for its part of a whole scan; null while it can. */
  reason: string | null = null;
  /** The root's copy is being read: what it reports, the first half reported already. */
  private inRoot = true;
  private userElement = '';
  private depth = 0;
  private readonly findings: Finding[] = [];
  private readonly events: number[] = [];
  /** Collapse keys of the findings kept, with their index. */
  private readonly firstByKey = new Map<string, number>();
  private readonly named = new Map<FindingUser, number>();
  private readonly refs: FindingUser[] = [];
  private readonly useCounts: number[] = [];
  private readonly flags: number[] = [];
  private readonly types: number[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly valueLengths: number[] = [];
  private readonly values: string[] = [];
  private readonly spans: number[] = [];
  private readonly keyHashes: number[] = [];
  /** Each value's key in this half (a Map here was most of userEnded's time), and by its index the first user with it. */
  private readonly keys = new KeySet();
  private readonly userOfKey: number[] = [];

  constructor(private readonly path: string, private readonly col: number) {
    super();
  }

  rootRead(userElement: string): void {
    this.inRoot = false;
    this.userElement = userElement;
  }

  half(version: 1 | 2): SecondHalf {
    return {
      version,
      users: this.refs.length,
      events: Int32Array.from(this.events),
      findings: this.findings,
      named: [...this.named.keys()],
      userNamed: Int32Array.from(this.refs, (ref) => this.named.get(ref) ?? -1),
      useCounts: Int32Array.from(this.useCounts),
      flags: Uint8Array.from(this.flags),
      types: Int32Array.from(this.types),
      typeNames: [...this.typeIndex.keys()],
      valueLengths: Int32Array.from(this.valueLengths),
      values: this.values.join(''),
      spans: Int32Array.from(this.spans),
      keyHashes: Int32Array.from(this.keyHashes),
    };
  }

  private event(kind: number, a: number, b = 0, c = 0, d = 0, e = 0, f = -1): void {
    if (this.events.length >= MAX_EVENTS * EVENT_INTS) return this.refuse(`more than ${MAX_EVENTS} findings and users`);
    this.events.push(kind, a, b, c, d, e, f);
  }

  /** The index in `named` of the user a finding names (-1: none). */
  private nameOf(user: FindingUser | undefined): number {
    if (!user) return -1;
    let k = this.named.get(user);
    if (k === undefined) this.named.set(user, (k = this.named.size));
    return k;
  }

  private refuse(reason: string): void {
    this.reason ??= reason;
  }

  /** Before the cut: the root's copy, where nothing of this half is. */
  private beforeCut(p: Position): boolean {
    return beforeCut(p, this.col);
  }

  // FindingCollector: keep everything, in report order.
  override add(finding: Finding): void {
    if (this.inRoot || this.reason) return;
    if (this.beforeCut(finding.range.start) || finding.related.some((r) => r.path === this.path && this.beforeCut(r.range.start))) {
      return this.refuse('a finding about the root');
    }
    let key: string | undefined;
    if (ruleDef(finding.rule).repeats === 'collapse') {
      key = collapseKey(finding);
      const first = this.firstByKey.get(key);
      if (first !== undefined) {
        const { start, end } = finding.range;
        return this.event(REPEAT, first, start.line, start.character, end.line, end.character, this.nameOf(finding.user));
      }
    }
    if (this.findings.length >= MAX_CARRIED_FINDINGS) return this.refuse(`more than ${MAX_CARRIED_FINDINGS} findings`);
    if (key !== undefined) this.firstByKey.set(key, this.findings.length);
    this.nameOf(finding.user);
    this.event(FINDING, this.findings.length);
    this.findings.push(finding);
  }

  /** Once refused, nothing more is worth building. */
  override isFull(): boolean {
    return this.reason !== null;
  }

  override drop(): void {}

  override finish(): Finding[] {
    return [];
  }

  userEnded(uses: IdentifierUse[], repeats: boolean, _label: string, ref: FindingUser): void {
    if (this.depth !== 2) return this.refuse('a user outside the root');
    const k = this.refs.length;
    this.event(USER, k);
    // Users that share a value must meet in the registry in file order; the others cannot clash.
    let shares = false;
    for (const use of uses) {
      const hash = keyHash(use.key);
      this.keyHashes.push(hash);
      const seen = this.keys.addOrFind(use.key, hash);
      if (seen < 0) {
        this.userOfKey.push(k);
      } else if (this.userOfKey[seen] !== k) {
        this.flags[this.userOfKey[seen]] |= 4;
        shares = true;
      }
    }
    this.useCounts.push(uses.length);
    this.flags.push((uses[0]?.primary ? 1 : 0) | (repeats ? 2 : 0) | (shares ? 4 : 0));
    for (const use of uses) {
      let type = this.typeIndex.get(use.type);
      if (type === undefined) this.typeIndex.set(use.type, (type = this.typeIndex.size));
      this.types.push(type);
      this.valueLengths.push(use.value.length);
      this.values.push(use.value);
      this.spans.push(use.line, use.col, use.endLine, use.endCol);
    }
    this.refs.push(ref);
  }

  xmlDeclaration(decl: XmlDeclaration): void {
    this.checker.xmlDeclaration(decl);
  }

  startTag(tag: ScanStartTag): void {
    if (this.depth === 1 && !this.inRoot && tag.name !== this.userElement) this.refuse('another element than a user directly in the root');
    this.depth++;
    this.checker.startTag(tag);
  }

  endTag(): void {
    this.checker.endTag();
    this.depth--;
  }

  text(text: ScanText): void {
    if (this.depth === 1) this.refuse('text directly in the root');
    this.checker.text(text);
  }

  problem(rule: ScanProblemRule, span: Span, detail: string): void {
    this.refuse('a well-formedness problem');
    this.checker.problem(rule, span, detail);
  }
}
