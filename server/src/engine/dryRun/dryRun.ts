import { availableParallelism } from 'node:os';
import { XmlScanner, type ScanSink } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import { InputError, type InputDocument } from '../files/inputDocument';
import { readFileChunks } from '../files/inputs';
import { DocumentChecker, type SetState } from '../validation/documentChecker';
import { IdentifierRegistry, identifiersClash } from '../validation/identifiers';
import { newSetState } from '../validation/validateDocument';
import { findCut, SPLIT_MIN_BYTES, type Cut } from '../validation/splitValidation';
import { UserCollector, type CollectedUser, type CollectorOptions } from './userCollector';
import { documentsToBridge, v2ViewOf, V2ViewSink } from './versionBridge';
import { compareUsers } from './compareUsers';
import { describeHolder, identifierKeys, matchKey, readBaseline, readsOnWorker, type BaselineIndex, type Holder, type IdentifierKey, type TailRead } from './baselineIndex';
import { IGNORE_USERS, unpackInputUsers, type PackedInputUsers, type TailOutcome, type TailRequest, type TailUser } from './inputTail';
import { firstFileError, RejectionFindings, type Rejection } from './rejections';
import {
  ALERT_THRESHOLD,
  type DryRunMode,
  type DryRunReport,
  type DryRunSummary,
  type DryRunUser,
  type RejectReason,
} from './types';

export interface DryRunOptions {
  /** Validation settings of the profile: the same rules as `validate` decide what is invalid. */
  settings: ValidationSettings;
  mode?: DryRunMode;
  /** `primary_id` (the default) or an identifier type code. */
  matchIdType?: string;
  /** What a synchronize does with an input user that matches nobody (default `add`). */
  unmatched?: 'add' | 'reject';
  signal?: AbortSignal;
  onProgress?: (progress: DryRunProgress) => void;
  /**
   * The paths the baseline documents were expanded from. With them the baseline is read on a
   * worker thread, in parallel with the input, when the bundle ships the worker (dist/).
   */
  baselinePaths?: readonly string[];
  /** The baseline reader's script (default: dist/dryRunWorker.js beside this bundle): what a test names. */
  workerScript?: string;
  /** How a big feed is shared between the two threads (see planTail); false: never. */
  split?: FeedSplitOptions | false;
}

export interface FeedSplitOptions {
  /** Feeds from this size on (default: validation's SPLIT_MIN_BYTES). */
  minBytes?: number;
  /**
   * The share of the feed read by the baseline's side, its cut chosen before anything is read (a
   * test's small files). Default: chosen when the baseline is read, from where this thread is then.
   */
  tailShare?: number;
  /** Also when the baseline is read on this thread (no worker): what a test compares without one. */
  onThisThread?: boolean;
  /** Hears, for a feed big enough, `split` or why it was read on one thread. */
  onDecision?: (path: string, decision: string) => void;
}

export interface DryRunProgress {
  phase: 'baseline' | 'input';
  path: string;
  bytesDone: number;
  bytesTotal: number;
}

/**
 * What Alma's synchronize (or import) would do with `inputs` given the users in `baseline` (the
 * Export Users job's output), user by user in load order. Both sides stream through the scanner;
 * the baseline is indexed by its identifiers, and an input user whose digest equals its match's
 * is unchanged without a field-by-field comparison.
 *
 * Throws InputError for a baseline or input that cannot be read, is not well-formed, or is not a
 * users file: a partial comparison would be worse than none.
 */
export async function dryRun(inputs: readonly InputDocument[], baseline: readonly InputDocument[], options: DryRunOptions): Promise<DryRunReport> {
  const mode = options.mode ?? 'synchronize';
  const matchIdType = options.matchIdType ?? options.settings.matchIdType ?? 'primary_id';
  const unmatched = options.unmatched ?? 'add';
  const includeResearcher = options.settings.usedFor !== undefined && options.settings.usedFor !== 'users';
  // segment_type counts only in the baseline: SIS makes every incoming segment External.
  const collectorOptions: CollectorOptions = { includeResearcher, internalSegments: false };
  const progress = new ProgressCounter(options, baseline, inputs);
  // A v1 side beside a v2 side is read through the v1 to v2 mapping (versionBridge.ts).
  const bridged = await documentsToBridge([...baseline, ...inputs], options.signal);

  const set = newSetState();
  const inputSettings: ValidationSettings = { ...options.settings, matchIdType };
  const onInputBytes = progress.phase('input');
  const tail = await planTail(inputs, bridged, options, { settings: inputSettings, set, collector: collectorOptions, onBytes: onInputBytes });

  // Stops the baseline reader (a worker thread) when the input fails or the run is cancelled.
  const stop = new AbortController();
  const forward = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  const reading = readBaseline({
    documents: baseline.map((doc) => (bridged.has(doc.path) ? v2ViewOf(doc) : doc)),
    sourcePaths: options.baselinePaths,
    v1AsV2: [...bridged],
    matchIdType,
    collector: { includeResearcher, internalSegments: true },
    onBytes: progress.phase('baseline'),
    signal: stop.signal,
    tail: tail?.read,
    workerScript: options.workerScript,
  });
  // Awaited only after the first input document: until then a failure must not go unhandled.
  reading.catch(() => tail?.read.end({ kind: 'error', message: 'the baseline was not read' }));
  const how = { mode, matchIdType, unmatched };
  let replay: Replay | undefined;
  let index: BaselineIndex;
  try {
    const registry = new IdentifierRegistry();
    // Input users are replayed as they end once the index is ready (before that they wait), so
    // that they die young instead of filling the heap until their document ends.
    let ready: BaselineIndex | undefined;
    reading.then((i) => (ready = i), () => undefined);
    const waiting: Waiting[] = [];
    const deliver = (user: CollectedUser, path: string, rejection: Rejection | undefined): void => {
      if (ready === undefined || waiting.length > 0) waiting.push({ user, path, rejection });
      else (replay ??= new Replay(ready, how)).add(user, path, rejection);
    };
    for (const doc of inputs) {
      let bridge: V2ViewSink | undefined;
      const collector = new UserCollector(collectorOptions, (user, k) => {
        // The report points into the file as written, not into its converted text.
        const start = bridge?.userStart(k);
        if (start) Object.assign(user, start);
        deliver(user, doc.path, rejections.take(k));
      });
      if (bridged.has(doc.path)) bridge = new V2ViewSink(collector, doc.path);
      // The user in progress is the next one the collector ends (the checker hears each event first).
      const rejections = new RejectionFindings(() => collector.count);
      // Identifiers across users are the replay's business (duplicate-in-feed): the observer hook
      // spares the checker its own registry of every input identifier.
      const checker = new DocumentChecker(doc.path, inputSettings, registry, set, { findings: rejections, observer: IGNORE_USERS });
      options.signal?.throwIfAborted();
      const scanner = new XmlScanner(new TeeSink(checker, bridge ?? collector));
      const take = (chunk: Uint8Array): void => {
        scanner.write(chunk);
        onInputBytes(doc.path, chunk.length);
        // While the tail's start is to be chosen the other thread is idle: the waiting users are replayed after that.
        if (ready !== undefined && waiting.length > 0 && !(tail?.doc === doc && tail.cut === undefined)) replay = replayWaiting(replay ?? new Replay(ready, how), waiting);
        options.signal?.throwIfAborted();
      };
      const feed = async (chunks: AsyncIterable<Uint8Array>): Promise<void> => {
        for await (const chunk of chunks) take(chunk);
      };
      let tailUsers: TailUser[] | string | null = null;
      const head = tail?.doc === doc ? await readHead(tail, take, () => ready !== undefined) : null;
      if (tail && head !== null && !tail.cut) {
        await feed(readFileChunks(doc.file!, head)); // no tail after all: the rest is read here
      } else if (tail && head !== null) {
        tailUsers = await joinTail(tail, tail.cut!, scanner, checker, collector);
        if (options.split) options.split.onDecision?.(doc.path, typeof tailUsers === 'string' ? tailUsers : 'split');
        if (typeof tailUsers === 'string') {
          tail.stop.abort();
          tail.batches.length = 0;
          progress.unread(tail.bytes);
          await feed(readFileChunks(doc.file!, head));
        }
      } else {
        await feed(doc.read());
      }
      // The tail's users close the root: the scanner has nothing left to end.
      if (!Array.isArray(tailUsers)) scanner.end();
      const fileError = firstFileError(checker.result().findings);
      if (fileError) throw new InputError(`${doc.path}:${fileError.range.start.line + 1}:${fileError.range.start.character + 1}: ${fileError.message} (Alma cannot load this file; fix it first)`, doc.path);
      bridge?.finish();
      if (collector.badRoot !== null || collector.version === null) throw new InputError(`${doc.path}: not a users file (no <users> or <userRecords> root)`, doc.path);
      if (Array.isArray(tailUsers)) for (const t of tailUsers) deliver(t.user, doc.path, t.rejection);
    }
    index = await reading;
    replay = replayWaiting(replay ?? new Replay(index, how), waiting);
    await replay.compareDiffering();
  } finally {
    options.signal?.removeEventListener('abort', forward);
    stop.abort();
  }
  return {
    summary: summarize(replay.users),
    users: replay.users,
    mode,
    matchIdType,
    unmatched,
    baseline: { paths: baseline.map((d) => d.path), users: index.users },
    inputs: inputs.map((d) => d.path),
    mappedFromV1: [...baseline, ...inputs].map((d) => d.path).filter((path) => bridged.has(path)),
  };
}

/**
 * A big feed read on both threads: the thread that read the baseline reads the feed's tail once
 * it is done (inputTail.ts), while this one reads the head and replays; the tail's users are
 * replayed after the head's, in file order, as one read would. Where the tail starts is chosen
 * when the baseline's side is free, from where this thread is then (tailStart), so that both end
 * together whatever the two files hold and however fast each core is at the time. A cut chosen
 * beforehand from the sizes of both files (a model of what a byte of each costs) had to be tuned
 * to one pair of files, and still left one thread waiting for the other by up to 1.4 s (15 runs
 * of the 100k bench pair, three settings of the model; 0.28 s on average with the best, 0.22 s
 * chosen late). Only a single plain feed is split, only when the baseline is read on a worker
 * thread, and neither side is v1 read as v2.
 */

/** A tail smaller than this is not worth its posting. */
const MIN_TAIL_BYTES = 8 << 20;

/**
 * What replaying the head's users that waited for the index costs this thread, per byte of the
 * head read so far (they wait until the baseline is read, so they are all the head's users then).
 * They are replayed after the cut is chosen, so that the other side is not idle meanwhile (on the
 * 100k bench pair it was idle 0.3-0.4 s there; 0.05-0.07 s since). Their replay took 575 ms
 * against 5,840 ms for reading their 158 MB, but a share of 0.1 made the other side end last in
 * 3 of 4 runs (by up to 0.55 s), 0.05 in 2 of 6: it starts its checker cold.
 */
const WAITING_REPLAY_SHARE = 0.05;

/**
 * Where the baseline's side should start reading a feed of `size` bytes when this thread has
 * read `position` of it: half of what is left and of the replay of the users that waited, which
 * this thread does after the cut is chosen. This thread also replays each later user (about a
 * tenth more per byte), but the other side starts its checker cold: on the 100k bench pair, given
 * 55% of the rest it ended 0.0 to 0.8 s after this thread (0.4 s on average, 6 runs), given half
 * -0.2 to +0.8 s (0.0 s at the median). Null: too little is left.
 */
export function tailStart(size: number, position: number, minBytes = MIN_TAIL_BYTES): number | null {
  const rest = size - position;
  const tail = Math.min(rest, Math.floor((rest + WAITING_REPLAY_SHARE * position) / 2));
  return tail < Math.max(1, minBytes) ? null : size - tail;
}

interface TailPlan {
  doc: InputDocument;
  /** Where the tail starts; null: no tail (chosen so, or too late); undefined while not chosen. */
  cut: Cut | null | undefined;
  /** Chooses the cut (once) when the baseline is read and this thread has read `position` of the feed; null: the feed was read to its end first. */
  decide(position: number | null): Promise<void>;
  read: TailRead;
  stop: AbortController;
  /** The tail's bytes counted in the progress so far. */
  bytes: number;
  batches: PackedInputUsers[];
  outcome: Promise<TailOutcome>;
}

async function planTail(
  inputs: readonly InputDocument[],
  bridged: ReadonlySet<string>,
  options: DryRunOptions,
  input: { settings: ValidationSettings; set: SetState; collector: CollectorOptions; onBytes: (path: string, bytes: number) => void },
): Promise<TailPlan | null> {
  const split = options.split === false ? null : options.split ?? {};
  const doc = inputs.length === 1 ? inputs[0] : undefined;
  if (!split || doc?.file === undefined || doc.size === undefined || doc.size < (split.minBytes ?? SPLIT_MIN_BYTES)) return null;
  const refuse = (why: string): null => {
    split.onDecision?.(doc.path, `one thread: ${why}`);
    return null;
  };
  // The tail's reader reads the feed as written, and a baseline read through the mapping was not measured beside it.
  if (bridged.size > 0) return refuse('a side is read through the v1 to v2 mapping');
  if (!split.onThisThread && (availableParallelism() < 2 || !readsOnWorker(options.baselinePaths, options.workerScript))) return refuse('the baseline is not read on a worker thread');
  const { file, size } = doc;
  const set = { ...input.set };
  const stop = new AbortController();
  let end!: (outcome: TailOutcome) => void;
  const outcome = new Promise<TailOutcome>((resolve) => (end = resolve));
  let requested!: (request: TailRequest | null) => void;
  const request = new Promise<TailRequest | null>((resolve) => (requested = resolve));
  const settle = (cut: Cut | null, why: string): void => {
    plan.cut = cut;
    if (cut === null) {
      split.onDecision?.(doc.path, `one thread: ${why}`);
      stop.abort();
    }
    requested(cut && { file, path: doc.path, cut: cut.offset, col: cut.col, settings: input.settings, set, collector: input.collector });
  };
  const plan: TailPlan = {
    doc,
    cut: undefined,
    decide: async (position) => {
      // A tail need not be bigger than the smallest feed that is split (a test's small files).
      const from = position === null ? null : tailStart(size, position, Math.min(MIN_TAIL_BYTES, split.minBytes ?? SPLIT_MIN_BYTES));
      if (from === null) return settle(null, position === null ? 'the feed was read before the baseline' : 'the baseline was read when too little of the feed was left');
      const cut = await findCut(file, size, from / size);
      // Never behind what this thread has read already.
      settle(cut !== null && cut.offset >= position! ? cut : null, 'no line starts a user near the cut');
    },
    stop,
    bytes: 0,
    batches: [],
    outcome,
    read: {
      request,
      listener: {
        bytes: (bytes) => {
          if (stop.signal.aborted) return;
          plan.bytes += bytes;
          input.onBytes(doc.path, bytes);
        },
        users: (batch) => {
          if (!stop.signal.aborted) plan.batches.push(batch);
        },
      },
      end: (o) => end(o),
      stop: stop.signal,
    },
  };
  // A share given is taken as it is, its cut chosen now (a test's small files).
  if (split.tailShare !== undefined) {
    const cut = await findCut(file, size, 1 - split.tailShare);
    if (!cut) return refuse('no line starts a user near the cut');
    settle(cut, '');
  }
  return plan;
}

/**
 * Reads the feed's head: until the baseline is read (then the cut is chosen from here), then on
 * to the cut. Returns where it stopped: the cut, or where this thread was when no tail was chosen.
 */
async function readHead(tail: TailPlan, take: (chunk: Uint8Array) => void, baselineRead: () => boolean): Promise<number> {
  const file = tail.doc.file!;
  let at = 0;
  if (tail.cut === undefined) {
    for await (const chunk of readFileChunks(file)) {
      take(chunk);
      at += chunk.length;
      if (baselineRead()) break;
    }
    await tail.decide(baselineRead() ? at : null);
  }
  if (!tail.cut) return at;
  for await (const chunk of readFileChunks(file, at, tail.cut.offset)) take(chunk);
  return tail.cut.offset;
}

/**
 * The head is read to the cut: the tail's users when both sides can stand for their part of one
 * read, else why this thread must read on.
 */
async function joinTail(tail: TailPlan, cut: Cut, scanner: XmlScanner, checker: DocumentChecker, collector: UserCollector): Promise<TailUser[] | string> {
  const here = scanner.betweenTags();
  if (!here || !checker.betweenUsers() || !collector.betweenUsers() || here.col !== cut.col) return 'one thread: the cut is not between users of the root';
  const outcome = await tail.outcome;
  if (outcome.kind === 'unsplittable') return `one thread: ${outcome.reason}`;
  if (outcome.kind === 'error') return `one thread: ${outcome.message}`;
  const users = tail.batches.flatMap((batch) => unpackInputUsers(batch, here.line));
  tail.batches.length = 0;
  return users.length === outcome.users ? users : 'one thread: users of the tail were lost';
}

interface Waiting {
  user: CollectedUser;
  path: string;
  rejection: Rejection | undefined;
}

/** Replays the users that waited for the index, in their order. */
function replayWaiting(replay: Replay, waiting: Waiting[]): Replay {
  for (const w of waiting) replay.add(w.user, w.path, w.rejection);
  waiting.length = 0;
  return replay;
}

/** Replays the feed against the index in load order, as the job would, one input user at a time. */
class Replay {
  readonly users: DryRunUser[] = [];
  /** Matched users whose digest differs from the existing user's: compared field by field at the end. */
  private readonly differing: { entry: DryRunUser; serial: number; canon: string }[] = [];

  constructor(
    private readonly index: BaselineIndex,
    private readonly how: { mode: DryRunMode; matchIdType: string; unmatched: 'add' | 'reject' },
  ) {}

  add(user: CollectedUser, path: string, rejection: Rejection | undefined): void {
    // The user may stay as a holder's current user to the end: only an update's comparison needs its fields.
    const canon = user.canon;
    user.canon = '';
    const entry: DryRunUser = {
      primaryId: user.primaryId,
      outcome: 'rejected',
      reason: null,
      detail: null,
      path,
      line: user.line,
      col: user.col,
      endCol: user.col + user.nameLength,
      changes: [],
    };
    this.users.push(entry);
    const reject = (reason: RejectReason, detail: string): void => {
      entry.reason = reason;
      entry.detail = detail;
    };
    const { mode, matchIdType, unmatched } = this.how;
    const match = matchKey(user, matchIdType);
    if (match === null) {
      return reject('missing-match-id', matchIdType === 'primary_id'
        ? 'no primary_id, which the profile matches users by'
        : `no identifier of type ${matchIdType}, which the profile matches users by`);
    }
    const existingHolder = this.index.byMatch.get(match) ?? null;
    const existing = existingHolder?.existing ?? null;
    // Alma generates a primary id for a new user only: a matched user without one keeps its own.
    if (rejection && !(existing && rejection.rule === 'missing-primary-id')) return reject('invalid', `${rejection.rule}: ${rejection.message}`);
    if (!existing && user.primaryId === null && !user.hasName) {
      return reject('invalid', 'missing-primary-id: a new user without a primary_id and without a first or last name: Alma cannot generate a primary identifier for it');
    }
    const keys = identifierKeys(user);
    // An identifier (the match included) that an earlier input user created or updated: the first wins.
    for (const { key, hash, type, value } of keys) {
      const holder = this.index.holders.get(key, hash);
      if (holder === undefined || holder.claimedBy < 0 || caseOnly(holder, key, user)) continue;
      const first = this.users[holder.claimedBy];
      return reject('duplicate-in-feed', `${type} ${value} is already used by ${first.primaryId ?? 'an earlier user'} at ${first.path}:${first.line + 1} (the first user in the feed wins)`);
    }
    if (existing && mode === 'import') return reject('exists', `${describeHolder(existingHolder!)} already exists: import adds new users only`);
    if (existing && existing.internalAccount) {
      return reject('internal-user', `it matches ${describeHolder(existingHolder!)}, an internal account: SIS never updates internal users ("User is not external")`);
    }
    for (const { key, hash, type, value } of keys) {
      const holder = this.index.holders.get(key, hash);
      if (holder !== undefined && holder !== existingHolder && !caseOnly(holder, key, user)) {
        return reject('identifier-taken', `${type} ${value} belongs to ${describeHolder(holder)}`);
      }
    }
    if (!existing && mode === 'synchronize' && unmatched === 'reject') {
      return reject('unmatched-rejected', `no existing user has ${describeMatch(matchIdType)} ${match}, and the profile rejects unmatched users`);
    }

    const at = this.users.length - 1;
    if (!existing) {
      entry.outcome = 'new';
      const holder: Holder = { existing: null, current: user, claimedBy: at, path };
      for (const { key, hash } of keys) this.index.holders.set(key, holder, hash);
      return;
    }
    if (existing.digest === user.digest) entry.outcome = 'unchanged';
    else {
      entry.outcome = 'updated';
      this.differing.push({ entry, serial: existing.serial, canon });
    }
    this.claim(existingHolder!, existing, keys, at, user);
  }

  /** The field-level changes of the users whose digests differ, with the existing users' fields fetched at once. */
  async compareDiffering(): Promise<void> {
    if (this.differing.length === 0) return;
    const existing = await this.index.canons(this.differing.map((d) => d.serial));
    this.differing.forEach((d, k) => {
      d.entry.changes = compareUsers(existing[k], d.canon);
      if (d.entry.changes.length === 0) d.entry.outcome = 'unchanged';
    });
    this.differing.length = 0;
  }

  /** Swap-all: the existing user's external identifiers are replaced by the input's; internal ones stay. */
  private claim(holder: Holder, existing: CollectedUser, keys: readonly IdentifierKey[], at: number, user: CollectedUser): void {
    holder.claimedBy = at;
    holder.current = user;
    for (const { key, hash } of identifierKeys(existing, true)) {
      if (!keys.some((k) => k.key === key) && this.index.holders.get(key, hash) === holder) this.index.holders.delete(key, hash);
    }
    for (const { key, hash } of keys) this.index.holders.set(key, holder, hash);
  }
}

/**
 * Two values that differ only in case, unless both are primary ids: validate warns about them
 * (identifier-case) and does not reject, since only some institutions' additional identifiers
 * are case-insensitive; the dry-run takes them the same way, so the two never disagree.
 */
function caseOnly(holder: Holder, key: string, user: CollectedUser): boolean {
  const held = heldValue(holder.current, key);
  const incoming = heldValue(user, key);
  return held !== null && incoming !== null && identifiersClash(held, incoming) === 'case';
}

function heldValue(user: CollectedUser, key: string): { value: string; primary: boolean } | null {
  if (user.primaryId !== null && user.primaryId.toLowerCase() === key) return { value: user.primaryId, primary: true };
  for (const id of user.identifiers) if (id.value.toLowerCase() === key) return { value: id.value, primary: false };
  return null;
}

function describeMatch(matchIdType: string): string {
  return matchIdType === 'primary_id' ? 'primary_id' : `identifier ${matchIdType}`;
}

export function summarize(users: readonly DryRunUser[]): DryRunSummary {
  const summary: DryRunSummary = { total: users.length, new: 0, updated: 0, unchanged: 0, rejected: 0, failureRate: 0, alert: false };
  for (const user of users) summary[user.outcome]++;
  summary.failureRate = summary.total === 0 ? 0 : summary.rejected / summary.total;
  summary.alert = summary.total > 0 && summary.failureRate >= ALERT_THRESHOLD;
  return summary;
}

/** One scan feeds two sinks: the collector and the checker read the input in a single pass. */
class TeeSink implements ScanSink {
  constructor(private readonly a: ScanSink, private readonly b: ScanSink) {}
  xmlDeclaration(decl: Parameters<ScanSink['xmlDeclaration']>[0]): void {
    this.a.xmlDeclaration(decl);
    this.b.xmlDeclaration(decl);
  }
  startTag(tag: Parameters<ScanSink['startTag']>[0]): void {
    this.a.startTag(tag);
    this.b.startTag(tag);
  }
  endTag(name: string): void {
    this.a.endTag(name);
    this.b.endTag(name);
  }
  text(text: Parameters<ScanSink['text']>[0]): void {
    this.a.text(text);
    this.b.text(text);
  }
  problem(...args: Parameters<ScanSink['problem']>): void {
    this.a.problem(...args);
    this.b.problem(...args);
  }
}

/** Bytes over both sides, so that one bar covers the whole run. */
class ProgressCounter {
  private done = 0;
  private readonly total: number;

  constructor(private readonly options: DryRunOptions, baseline: readonly InputDocument[], inputs: readonly InputDocument[]) {
    this.total = [...baseline, ...inputs].reduce((sum, d) => sum + (d.size ?? 0), 0);
  }

  /** Bytes counted that will be read again (a tail given up on). */
  unread(bytes: number): void {
    this.done -= bytes;
  }

  phase(phase: DryRunProgress['phase']): (path: string, bytes: number) => void {
    return (path, bytes) => {
      this.done += bytes;
      // A v1 side read through the mapping counts its converted bytes, not quite its size on disk.
      const done = this.total > 0 ? Math.min(this.done, this.total) : this.done;
      this.options.onProgress?.({ phase, path, bytesDone: done, bytesTotal: this.total });
    };
  }
}
