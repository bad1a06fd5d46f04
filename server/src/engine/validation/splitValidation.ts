import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ValidationSettings } from '../config/types';
import type { InputDocument } from '../files/inputDocument';
import type { Finding, RelatedLocation } from '../rules/finding';
import type { Range } from '../text/span';
import { identifierKey, identifierUse, IdentifierRegistry, userLabel, type IdentifierUse } from './identifiers';
import type { FindingCollector } from './findingCollector';
import type { DocumentChecker, SetState } from './documentChecker';
import type { DocumentResult } from './results';
import type { XmlScanner } from '../xml/scanner';
import { EVENT_INTS, FINDING, REPEAT, scanSecondHalf, type SecondHalf, type SecondHalfMessage, type SecondHalfRequest } from './secondHalf';
import { primaryOf, takeIdentifiers } from './userClashes';

/**
 * A big file validated on two cores: this thread scans up to a cut at a user's start tag while a
 * worker scans from there (secondHalf.ts); then this thread replays the worker's findings and
 * users after its own, deciding identifiers across users in file order as one scan would (the
 * first user in file order still wins). The result is the one scan's, finding for finding: the
 * cut is taken only where the state of one scan at that point is known to the worker (between
 * users inside a settled root, nothing reported by the scanner), and the worker gives up on
 * anything that state does not cover. When either side cannot vouch for its half, this thread
 * reads on from the cut by itself, having lost nothing but the worker's time.
 */

/**
 * Smaller files are read on one thread: the worker starts cold (its bundle loaded and compiled
 * anew) and the replay is extra work. Measured with the CLI on generated feeds: 37 MB took 0.75 s
 * split against 0.65 s on one thread, 79 MB 1.01 s against 1.15 s, 131 MB 1.49 s against 1.82 s.
 */
export const SPLIT_MIN_BYTES = 64 << 20;

/** The worker's bundle, next to the CLI's and the server's in dist/ (see scripts/build.mjs). */
export const SPLIT_WORKER_SCRIPT = 'validateWorker.js';

/**
 * The worker starts later and cold (a thread to start, its bundle to load and compile), so this
 * thread takes a little more than half: on the 100k-user bench file the halves then end within
 * about 50 ms of each other, before the replay.
 */
const FIRST_SHARE = 0.52;

/** A cut is looked for in this much of the file from the middle on. */
const CUT_WINDOW = 1 << 20;

export interface SplitOptions {
  /** Files from this size on are split (default SPLIT_MIN_BYTES). */
  minBytes?: number;
  /** The worker's script (default: SPLIT_WORKER_SCRIPT beside this bundle, no split when it is missing). */
  workerScript?: string;
  /** Scan the second half on this thread (interleaved with the first): what a test compares without a worker. */
  onThisThread?: boolean;
  /** Where in the file a cut is looked for, as a share of its size (default: a little past the middle). */
  share?: number;
  /** Hears, for each file big enough, `split` or why it was read on one thread. */
  onDecision?: (path: string, decision: string) => void;
}

export interface Cut {
  /** Byte offset of the '<' of a user's start tag. */
  offset: number;
  /** Its column: the spaces and tabs before it on its line. */
  col: number;
}

/** The second half under way. */
export interface SplitHalf {
  cut: Cut;
  /** What the worker found; it settles once, whatever happens to the worker. */
  outcome: Promise<SecondHalfMessage>;
  stop(): void;
}

/** Starts the second half of `doc` when it is worth it and a cut is found; null otherwise. */
export async function startSecondHalf(
  doc: InputDocument,
  settings: ValidationSettings,
  set: SetState,
  options: SplitOptions,
  onBytes: (bytes: number) => void,
): Promise<SplitHalf | null> {
  const file = doc.file;
  if (file === undefined || doc.size === undefined || doc.size < (options.minBytes ?? SPLIT_MIN_BYTES)) return null;
  const script = options.workerScript ?? join(__dirname, SPLIT_WORKER_SCRIPT);
  if (!options.onThisThread && (availableParallelism() < 2 || !existsSync(script))) return null;
  const cut = await findCut(file, doc.size, options.share);
  if (!cut) {
    options.onDecision?.(doc.path, 'one thread: no line starts a user near the middle');
    return null;
  }
  const request: SecondHalfRequest = { file, path: doc.path, cut: cut.offset, col: cut.col, settings, set: { ...set } };
  // Once stopped, nothing more of the half is counted (it is read again here, or was cancelled).
  const stopped = new AbortController();
  const hear = (bytes: number): void => {
    if (!stopped.signal.aborted) onBytes(bytes);
  };
  if (options.onThisThread) {
    const outcome = Promise.resolve().then(() => scanSecondHalf(request, hear, stopped.signal));
    return { cut, outcome, stop: () => stopped.abort() };
  }
  const worker = new Worker(script, { workerData: request });
  const outcome = new Promise<SecondHalfMessage>((resolve) => {
    worker.on('message', (message: SecondHalfMessage) => {
      if (message.kind === 'bytes') hear(message.bytes);
      else resolve(message);
    });
    worker.on('error', (error) => resolve({ kind: 'error', message: error.message }));
    worker.on('exit', (code) => resolve({ kind: 'error', message: `the worker stopped (exit code ${code})` }));
  });
  return {
    cut,
    outcome,
    stop: () => {
      stopped.abort();
      void worker.terminate();
    },
  };
}

/**
 * A line from the middle of the file on that holds only white space before `<user` (v1:
 * `<userRecord`) and a character that ends the name. Whether it really is a user's start tag
 * inside the root (not in a comment or CDATA section) the scan up to it tells.
 */
export async function findCut(file: string, size: number, share = FIRST_SHARE): Promise<Cut | null> {
  const from = Math.floor(size * share);
  const window = Buffer.allocUnsafe(Math.min(CUT_WINDOW, size - from));
  const handle = await open(file, 'r');
  let length: number;
  try {
    ({ bytesRead: length } = await handle.read(window, 0, window.length, from));
  } finally {
    await handle.close();
  }
  for (let i = window.indexOf(0x0a); i >= 0 && i < length; i = window.indexOf(0x0a, i + 1)) {
    let k = i + 1;
    while (k < length && (window[k] === 0x20 || window[k] === 0x09)) k++;
    const name = startsUser(window, k, length);
    if (name > 0) return { offset: from + k, col: k - i - 1 };
  }
  return null;
}

const USER = Buffer.from('<user');
const RECORD = Buffer.from('Record');

/** The length of `<user` or `<userRecord` at `k` when a character that ends a name follows, else 0. */
function startsUser(buf: Buffer, k: number, length: number): number {
  if (k + USER.length >= length || buf.compare(USER, 0, USER.length, k, k + USER.length) !== 0) return 0;
  let end = k + USER.length;
  if (end + RECORD.length < length && buf.compare(RECORD, 0, RECORD.length, end, end + RECORD.length) === 0) end += RECORD.length;
  const next = buf[end];
  return next === 0x3e || next === 0x20 || next === 0x09 || next === 0x0d || next === 0x0a || next === 0x2f ? end - k : 0;
}

/** Where the first half ended: its line (the second half's lines count from it) and its users. */
export interface FirstHalfEnd {
  line: number;
  users: number;
}

/**
 * Replays the second half after the first: its findings through the document's collector, its
 * users' identifiers through the set's registry, at their place in the report order. Returns the
 * users it held. Only users that share a value with another user (of this half, or one the
 * registry holds already) can clash, so only they meet the registry one by one, in file order, as
 * one scan would have them; whether the registry holds a value is settled for nearly every value
 * by its KeyFilter, without a lookup. The others take their values without a clash, and are
 * registered only when `keepHolders` (a file of the set follows, and needs them).
 */
export function adoptSecondHalf(half: SecondHalf, first: FirstHalfEnd, registry: IdentifierRegistry, collector: FindingCollector, documentIndex: number, path: string, settings: ValidationSettings, keepHolders: boolean): number {
  const lines = first.line;
  const { events, findings, named } = half;
  // Where each user's identifiers and each identifier's value start.
  const firstUse = new Int32Array(half.users + 1);
  for (let k = 0; k < half.users; k++) firstUse[k + 1] = firstUse[k] + half.useCounts[k];
  const valueStart = new Int32Array(half.valueLengths.length + 1);
  for (let u = 0; u < half.valueLengths.length; u++) valueStart[u + 1] = valueStart[u] + half.valueLengths[u];
  const value = (u: number): string => half.values.slice(valueStart[u], valueStart[u + 1]);
  const contested = contestedUsers(half, firstUse, registry, value);
  for (let o = 0; o < events.length; o += EVENT_INTS) {
    const kind = events[o];
    if (kind === FINDING) {
      collector.add(shifted(findings[events[o + 1]], lines, path));
    } else if (kind === REPEAT) {
      const k = events[o + 1];
      const like = findings[k];
      const range = { start: { line: events[o + 2] + lines, character: events[o + 3] }, end: { line: events[o + 4] + lines, character: events[o + 5] } };
      collector.repeat(like, range, events[o + 6] >= 0 ? named[events[o + 6]] : undefined);
    } else {
      const k = events[o + 1];
      const repeats = (half.flags[k] & 2) !== 0;
      if (contested[k] || (keepHolders && !repeats)) {
        const primary = (half.flags[k] & 1) !== 0;
        const uses: IdentifierUse[] = [];
        for (let u = firstUse[k]; u < firstUse[k + 1]; u++) {
          const s = u * 4;
          uses.push(identifierUse(half.typeNames[half.types[u]], primary && u === firstUse[k], value(u), half.spans[s] + lines, half.spans[s + 1], half.spans[s + 2] + lines, half.spans[s + 3]));
        }
        const ordinal = first.users + k + 1;
        if (contested[k]) {
          const ref = half.userNamed[k] >= 0 ? named[half.userNamed[k]] : { primaryId: primary ? uses[0].value : null };
          for (const clash of takeIdentifiers(registry, { uses, repeats, ref }, documentIndex, ordinal, settings, (rule) => collector.isFull(rule))) collector.add(clash);
        } else {
          registry.register(uses, documentIndex, userLabel(primaryOf(uses), ordinal));
        }
      }
    }
  }
  return half.users;
}

/** Users that share a value with another user of the half, or with one the registry holds. */
function contestedUsers(half: SecondHalf, firstUse: Int32Array, registry: IdentifierRegistry, value: (u: number) => string): Uint8Array {
  const contested = new Uint8Array(half.users);
  const filter = registry.keepFilter();
  for (let k = 0; k < half.users; k++) {
    if ((half.flags[k] & 4) !== 0) {
      contested[k] = 1;
      continue;
    }
    for (let u = firstUse[k]; u < firstUse[k + 1]; u++) {
      if (filter.mayHold(half.keyHashes[u]) && registry.holds(identifierKey(value(u)), half.keyHashes[u])) {
        contested[k] = 1;
        break;
      }
    }
  }
  return contested;
}

/** A finding of the second half where it is in the file (its lines counted from the cut's). */
function shifted(finding: Finding, lines: number, path: string): Finding {
  finding.range = shiftRange(finding.range, lines);
  if (finding.related.length > 0) finding.related = finding.related.map((r): RelatedLocation => (r.path === path ? { ...r, range: shiftRange(r.range, lines) } : r));
  return finding;
}

function shiftRange(range: Range, lines: number): Range {
  return { start: { line: range.start.line + lines, character: range.start.character }, end: { line: range.end.line + lines, character: range.end.character } };
}

/**
 * The first half is read: when both halves can stand for their part of one scan, the second is
 * replayed after the first and the document's result returned; else why this thread must read on.
 */
export async function joinSecondHalf(
  split: SplitHalf,
  scanner: XmlScanner,
  checker: DocumentChecker,
  registry: IdentifierRegistry,
  collector: FindingCollector,
  path: string,
  settings: ValidationSettings,
  keepHolders: boolean,
): Promise<DocumentResult | string> {
  const here = scanner.betweenTags();
  const at = checker.betweenUsers();
  if (!here || !at || here.col !== split.cut.col) return 'one thread: the cut is not between users of the root';
  const outcome = await split.outcome;
  if (outcome.kind === 'unsplittable') return `one thread: ${outcome.reason}`;
  if (outcome.kind !== 'done') return `one thread: ${outcome.kind === 'error' ? outcome.message : 'no answer'}`;
  if (outcome.half.version !== at.version) return 'one thread: the halves read different schema versions';
  const users = at.users + adoptSecondHalf(outcome.half, { line: here.line, users: at.users }, registry, collector, checker.documentIndex, path, settings, keepHolders);
  return { path, schemaVersion: at.version, users, findings: collector.finish(), rejectedUsers: collector.rejectedUsers() };
}
