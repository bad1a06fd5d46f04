import type { ScanSink } from '../xml/scanner';
import type { ValidationSettings } from '../config/types';
import { InputError, type InputDocument } from '../files/inputDocument';
import { DocumentChecker, type UserObserver } from '../validation/documentChecker';
import { IdentifierRegistry, identifiersClash } from '../validation/identifiers';
import { newSetState } from '../validation/validateDocument';
import { FindingCollector } from '../validation/findingCollector';
import { compareRanges } from '../text/span';
import type { Finding } from '../rules/finding';
import { RULES, type RuleDef, type RuleId } from '../rules/ruleTable';
import { UserCollector, type CollectedUser, type CollectorOptions } from './userCollector';
import { documentsToBridge, v2ViewOf, V2ViewSink } from './versionBridge';
import { compareUsers } from './compareUsers';
import { describeHolder, identifierKeys, matchKey, readBaseline, scanDocument, type BaselineIndex, type Holder } from './baselineIndex';
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
}

export interface DryRunProgress {
  phase: 'baseline' | 'input';
  path: string;
  bytesDone: number;
  bytesTotal: number;
}

/** Rules that reject users but that the replay decides itself, against the baseline, under their own reasons. */
const OWN_REASONS: ReadonlySet<string> = new Set(['duplicate-identifier', 'missing-match-id']);

/**
 * Error findings that make Alma's loader reject the user (and only that user). What is left out
 * and why:
 * - well-formedness, encoding, root and schema-version errors fail the whole file, not a user:
 *   the dry-run stops with an error for them (see FILE_RULES);
 * - unknown or miscased elements and attributes, element order, a repeated single element:
 *   the loader reads what it knows and ignores the rest (producers ship such files daily);
 * - attribute values: segment_type is ignored on load whatever it says;
 * - identifier clashes and a missing match identifier: reported under their own reasons;
 * - warnings and infos: never a rejection. A rule configured to `error` counts only when listed.
 * empty-value is listed because it is an error only under `strict`, where the user asks for it.
 */
export const LOADER_REJECTS: ReadonlySet<RuleId> = new Set<RuleId>(
  (RULES as readonly RuleDef[]).filter((rule) => rule.rejects === 'user' && !OWN_REASONS.has(rule.id)).map((rule) => rule.id as RuleId),
);

/** Takes the checker's per-user identifiers and does nothing: the replay checks them against the baseline. */
const IGNORE_USERS: UserObserver = { userEnded: () => undefined };

/** Errors that make Alma reject the whole file ("Could not parse file", an aborted job). */
const FILE_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['xml-syntax', 'encoding', 'invalid-char', 'doctype', 'root-element', 'schema-version']);

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
  });
  // Awaited only after the first input document: until then a failure must not go unhandled.
  reading.catch(() => undefined);
  const how = { mode, matchIdType, unmatched };
  let replay: Replay | undefined;
  let index: BaselineIndex;
  try {
    const registry = new IdentifierRegistry();
    const set = newSetState();
    const onInputBytes = progress.phase('input');
    // Input users are replayed as they end once the index is ready (before that they wait), so
    // that they die young instead of filling the heap until their document ends.
    let ready: BaselineIndex | undefined;
    reading.then((i) => (ready = i), () => undefined);
    const waiting: { user: CollectedUser; path: string; rejection: Finding | undefined }[] = [];
    for (const doc of inputs) {
      let rejections: RejectionFindings | undefined;
      let bridge: V2ViewSink | undefined;
      const onUser = (user: CollectedUser, k: number): void => {
        const rejection = rejections!.byUser[k];
        rejections!.byUser[k] = undefined;
        // The report points into the file as written, not into its converted text.
        const start = bridge?.userStart(k);
        if (start) Object.assign(user, start);
        if (ready === undefined || waiting.length > 0) waiting.push({ user, path: doc.path, rejection });
        else (replay ??= new Replay(ready, how)).add(user, doc.path, rejection);
      };
      const collector = new UserCollector(collectorOptions, onUser);
      if (bridged.has(doc.path)) bridge = new V2ViewSink(collector, doc.path);
      // The user in progress is the next one the collector ends (the checker hears each event first).
      rejections = new RejectionFindings(() => collector.count);
      // Identifiers across users are the replay's business (duplicate-in-feed): the observer hook
      // spares the checker its own registry of every input identifier.
      const checker = new DocumentChecker(doc.path, { ...options.settings, matchIdType }, registry, set, { findings: rejections, observer: IGNORE_USERS });
      await scanDocument(doc, new TeeSink(checker, bridge ?? collector), (bytes) => {
        onInputBytes(doc.path, bytes);
        if (ready !== undefined && waiting.length > 0) replay = replayWaiting(replay ?? new Replay(ready, how), waiting);
      }, options.signal);
      const fileError = firstFileError(checker.result().findings);
      if (fileError) throw new InputError(`${doc.path}:${fileError.range.start.line + 1}:${fileError.range.start.character + 1}: ${fileError.message} (Alma cannot load this file; fix it first)`, doc.path);
      bridge?.finish();
      if (collector.badRoot !== null || collector.version === null) throw new InputError(`${doc.path}: not a users file (no <users> or <userRecords> root)`, doc.path);
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

/** Replays the users that waited for the index, in their order. */
function replayWaiting(replay: Replay, waiting: { user: CollectedUser; path: string; rejection: Finding | undefined }[]): Replay {
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

  add(user: CollectedUser, path: string, rejection: Finding | undefined): void {
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
    for (const [key, value] of keys) {
      const holder = this.index.holders.get(key);
      if (holder === undefined || holder.claimedBy < 0 || caseOnly(holder, key, user)) continue;
      const first = this.users[holder.claimedBy];
      return reject('duplicate-in-feed', `${value} is already used by ${first.primaryId ?? 'an earlier user'} at ${first.path}:${first.line + 1} (the first user in the feed wins)`);
    }
    if (existing && mode === 'import') return reject('exists', `${describeHolder(existingHolder!)} already exists: import adds new users only`);
    if (existing && existing.internalAccount) {
      return reject('internal-user', `it matches ${describeHolder(existingHolder!)}, an internal account: SIS never updates internal users ("User is not external")`);
    }
    for (const [key, value] of keys) {
      const holder = this.index.holders.get(key);
      if (holder !== undefined && holder !== existingHolder && !caseOnly(holder, key, user)) {
        return reject('identifier-taken', `${value} belongs to ${describeHolder(holder)}`);
      }
    }
    if (!existing && mode === 'synchronize' && unmatched === 'reject') {
      return reject('unmatched-rejected', `no existing user has ${describeMatch(matchIdType)} ${match}, and the profile rejects unmatched users`);
    }

    const at = this.users.length - 1;
    if (!existing) {
      entry.outcome = 'new';
      const holder: Holder = { existing: null, current: user, claimedBy: at, path };
      for (const [key] of keys) this.index.holders.set(key, holder);
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
  private claim(holder: Holder, existing: CollectedUser, keys: Map<string, string>, at: number, user: CollectedUser): void {
    holder.claimedBy = at;
    holder.current = user;
    for (const [key] of identifierKeys(existing, true)) {
      if (!keys.has(key) && this.index.holders.get(key) === holder) this.index.holders.delete(key);
    }
    for (const [key] of keys) this.index.holders.set(key, holder);
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

/**
 * Receives the checker's findings as they are reported, while the collector is inside the user
 * they are about: the checker's own report collapses repeated findings and caps each rule per
 * file, so it cannot say which of 100k users had an invalid date. The report still gets them all.
 */
class RejectionFindings extends FindingCollector {
  /** The first loader-rejecting error of each user, by the user's index in the document. */
  readonly byUser: (Finding | undefined)[] = [];

  constructor(private readonly currentUser: () => number) {
    super();
  }

  override add(finding: Finding): void {
    if (finding.severity === 'error' && LOADER_REJECTS.has(finding.rule)) this.byUser[this.currentUser()] ??= finding;
    super.add(finding);
  }

  override isFull(rule: RuleId): boolean {
    return !LOADER_REJECTS.has(rule) && super.isFull(rule);
  }
}

/** The first (in the file) error that makes Alma refuse the whole file. */
function firstFileError(findings: readonly Finding[]): Finding | undefined {
  let first: Finding | undefined;
  for (const f of findings) {
    if (f.severity !== 'error' || !FILE_RULES.has(f.rule)) continue;
    if (!first || compareRanges(f.range, first.range) < 0) first = f;
  }
  return first;
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

  phase(phase: DryRunProgress['phase']): (path: string, bytes: number) => void {
    return (path, bytes) => {
      this.done += bytes;
      // A v1 side read through the mapping counts its converted bytes, not quite its size on disk.
      const done = this.total > 0 ? Math.min(this.done, this.total) : this.done;
      this.options.onProgress?.({ phase, path, bytesDone: done, bytesTotal: this.total });
    };
  }
}
