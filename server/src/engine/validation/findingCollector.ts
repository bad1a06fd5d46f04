import type { Finding, FindingPlace, FindingUser, Severity } from '../rules/finding';
import { ruleDef, type RuleId } from '../rules/ruleTable';
import { compareRanges, type Range } from '../text/span';

/**
 * Findings listed per rule in one document; the rest are counted and summed up in one notice.
 * A real file with a systematic problem says it clearly within this many; a hostile one would
 * otherwise fill memory with millions of findings.
 */
export const MAX_FINDINGS_PER_RULE = 1000;
/** Findings listed per document, all rules together (the per-rule notices come on top). */
export const MAX_FINDINGS_PER_DOCUMENT = 5000;

/** Where a kept finding is now, when that is not where it was kept (each call makes new objects). */
export interface KeptPlacement {
  finding(finding: Finding): Finding;
  range(range: Range): Range;
}

interface Dropped {
  rule: RuleId;
  severity: Severity;
  count: number;
  /** Where the first finding that was not listed is. */
  range: Range;
}

/**
 * Gathers a document's findings so that nothing floods a report or an editor: findings of a
 * `repeats: 'collapse'` rule with the same words become one finding at their first place that
 * counts the others, and each rule, then the document, is capped, with one notice per rule saying
 * how many were left out. Memory is bounded by the caps, not by the file.
 */
export class FindingCollector {
  private readonly listed: Finding[] = [];
  /** Collapsible findings by rule, severity and words: the one listed. */
  private readonly firsts = new ByWords<Finding>();
  private readonly perRule = new Map<RuleId, number>();
  private readonly dropped = new Map<RuleId, Dropped>();
  /** The users an error rejects, listed or not: the summary says how many. */
  private readonly rejected = new Set<FindingUser>();
  /** The users the runs given to addRun reject (each run's distinct, none named elsewhere). */
  private rejectedInRuns = 0;

  add(finding: Finding): void {
    this.noteRejected(finding);
    this.place(finding);
  }

  private noteRejected(finding: Pick<Finding, 'rule' | 'severity' | 'user'>): void {
    if (finding.user && finding.severity === 'error' && ruleDef(finding.rule).rejects === 'user') this.rejected.add(finding.user);
  }

  /** add() without noting the users it rejects. */
  private place(finding: Finding): void {
    const def = ruleDef(finding.rule);
    const collapses = def.repeats === 'collapse';
    const rejects = def.rejects === 'user' && finding.severity === 'error';
    if (collapses) {
      const first = this.firstLike(finding);
      if (first) {
        first.occurrences = (first.occurrences ?? 1) + 1;
        // Said once in text, but a report that rejects users must still say which ones.
        if (rejects && first.places && first.places.length < MAX_FINDINGS_PER_RULE) first.places.push({ range: finding.range, user: finding.user ?? null });
        return;
      }
      if (rejects) finding.places = [{ range: finding.range, user: finding.user ?? null }];
    }
    if (!this.list(finding, collapses)) this.count(finding, 1);
  }

  /** Lists a finding unless its rule or the document is at its cap; false when it was not. */
  private list(finding: Finding, collapses: boolean): boolean {
    const count = this.perRule.get(finding.rule) ?? 0;
    if (count >= MAX_FINDINGS_PER_RULE || this.listed.length >= MAX_FINDINGS_PER_DOCUMENT) return false;
    this.perRule.set(finding.rule, count + 1);
    this.listed.push(finding);
    if (collapses) {
      this.firsts.set(finding, finding);
    }
    return true;
  }

  /** The listed finding that one of a collapsing rule with these words and severity repeats. */
  private firstLike(finding: Pick<Finding, 'rule' | 'severity' | 'group' | 'message'>): Finding | undefined {
    return this.firsts.get(finding);
  }

  /**
   * add() for a finding of a collapsing rule like `like` at another place: it collapses into the
   * first like it, or, when that was not listed (the caps), is counted as `like` was. Cheaper than
   * add() for the repeats a file has by the thousand.
   */
  repeat(like: Finding, range: Range, user: FindingUser | undefined): void {
    const first = this.firstLike(like);
    if (!first) return this.add({ rule: like.rule, severity: like.severity, message: like.message, ...(like.group === undefined ? {} : { group: like.group }), range, related: [], ...(user ? { user } : {}) });
    if (this.countRepeat(first, like, user)) first.places!.push({ range, user: user ?? null });
  }

  /**
   * add() for a finding that its caller keeps from one collection to the next (an incremental
   * document's pieces), `placed` saying where it is now when it was kept elsewhere. The collector
   * counts repeats on the finding it lists, so a finding of a collapsing rule that would be listed
   * goes in as a copy; a repeat is only counted, without a copy (a document with a repeated finding
   * on each of 100k users would copy 100k a keystroke).
   */
  addKept(finding: Finding, placed?: KeptPlacement): void {
    if (ruleDef(finding.rule).repeats !== 'collapse') return this.add(placed ? placed.finding(finding) : finding);
    const first = this.firstLike(finding);
    if (!first) return this.add(placed ? placed.finding(finding) : { ...finding });
    if (this.countRepeat(first, finding, finding.user)) first.places!.push({ range: placed ? placed.range(finding.range) : finding.range, user: finding.user ?? null });
  }

  /** Counts a repeat of the listed `first`; true when its places (a report must say which users it rejects) take this one too. */
  private countRepeat(first: Finding, like: Finding, user: FindingUser | undefined): boolean {
    const rejects = ruleDef(like.rule).rejects === 'user' && like.severity === 'error';
    if (rejects && user) this.rejected.add(user);
    first.occurrences = (first.occurrences ?? 1) + 1;
    return rejects && first.places !== undefined && first.places.length < MAX_FINDINGS_PER_RULE;
  }

  /** True when a finding of this rule would only be counted: lets a caller skip building it. */
  isFull(rule: RuleId): boolean {
    return ruleDef(rule).repeats !== 'collapse' && ((this.perRule.get(rule) ?? 0) >= MAX_FINDINGS_PER_RULE || this.listed.length >= MAX_FINDINGS_PER_DOCUMENT);
  }

  /** How many users the document's errors reject (each once, whatever the caps listed). */
  rejectedUsers(): number {
    return this.rejected.size + this.rejectedInRuns;
  }

  /**
   * addKept() of every finding of `run`, in its order, with `slots` (in order of `at`) added
   * between them where the run's `at` says; `placed` says where the findings of an origin are now.
   * Gives the state addKept() one by one would (a property test of random runs holds it to that),
   * in a step per listed finding and per group of repeats instead of a step per
   * finding: the repeats of a collapsing finding follow its first in the run, whatever comes between
   * (the caps only grow, so a first that was listed or counted decides its repeats). The users a
   * run's findings reject must be named by no other finding given to this collector outside that
   * run and its slots: they are counted, not gathered.
   */
  addRun<T>(run: KeptRun<T>, placed: (origin: T) => KeptPlacement | undefined, slots: readonly KeptSlot[] = []): void {
    let next = 0;
    for (const step of run.steps) {
      for (; next < slots.length && slots[next].at <= step.at; next++) this.addSlot(slots[next], run);
      const placement = placed(step.origin);
      if (step.count === 0) {
        this.place(placement ? placement.finding(step.finding) : step.finding);
        continue;
      }
      const first = this.firstLike(step.finding);
      if (first) {
        first.occurrences = (first.occurrences ?? 1) + step.count;
        if (step.places && first.places) this.addPlaces(first.places, placement ? placement.range(step.finding.range) : step.finding.range, step, placed);
        continue;
      }
      const listed = placement ? placement.finding(step.finding) : { ...step.finding };
      if (step.places) listed.places = [{ range: listed.range, user: listed.user ?? null }];
      if (!this.list(listed, true)) {
        this.count(listed, step.count);
        continue;
      }
      if (step.count > 1) listed.occurrences = step.count;
      if (step.places) this.addPlaces(listed.places!, undefined, step, placed);
    }
    for (; next < slots.length; next++) this.addSlot(slots[next], run);
    this.rejectedInRuns += run.rejected.size;
  }

  /** Appends a run's places of one collapsing finding (and `head`'s first) to a listed one's, up to the cap. */
  private addPlaces<T>(places: FindingPlace[], head: Range | undefined, step: KeptStep<T>, placed: (origin: T) => KeptPlacement | undefined): void {
    if (head && places.length < MAX_FINDINGS_PER_RULE) places.push({ range: head, user: step.finding.user ?? null });
    for (const place of step.places!) {
      if (places.length >= MAX_FINDINGS_PER_RULE) return;
      const placement = placed(place.origin);
      places.push({ range: placement ? placement.range(place.range) : place.range, user: place.user });
    }
  }

  private addSlot<T>(slot: KeptSlot, run: KeptRun<T>): void {
    for (const finding of slot.findings()) {
      if (!finding.user || !run.rejected.has(finding.user)) this.noteRejected(finding);
      this.place(finding);
    }
  }

  /** Counts a finding that will not be listed; `range` is where it would have been. */
  drop(finding: Pick<Finding, 'rule' | 'severity' | 'range' | 'user'>): void {
    this.noteRejected(finding);
    this.count(finding, 1);
  }

  /** Counts `n` findings like this one in the notice of findings not listed. */
  private count(finding: Pick<Finding, 'rule' | 'severity' | 'range'>, n: number): void {
    const entry = this.dropped.get(finding.rule);
    if (entry) {
      entry.count += n;
      if (severityRank(finding.severity) < severityRank(entry.severity)) entry.severity = finding.severity;
    } else {
      this.dropped.set(finding.rule, { rule: finding.rule, severity: finding.severity, count: n, range: finding.range });
    }
  }

  /** The findings in position order, collapsed ones saying how often they occur, and one notice per capped rule. */
  finish(): Finding[] {
    const result: Finding[] = [];
    for (const finding of this.listed) {
      const occurrences = finding.occurrences ?? 1;
      result.push(occurrences > 1 ? { ...finding, message: `${finding.message} ${repeatNote(occurrences)}` } : finding);
    }
    for (const entry of this.dropped.values()) {
      result.push({
        rule: entry.rule,
        severity: entry.severity,
        message: `${entry.count.toLocaleString('en-US')} more ${entry.rule} ${entry.count === 1 ? 'finding' : 'findings'} from here on ${entry.count === 1 ? 'is' : 'are'} not listed (a file lists at most ${MAX_FINDINGS_PER_RULE} per rule and ${MAX_FINDINGS_PER_DOCUMENT.toLocaleString('en-US')} in all).`,
        range: entry.range,
        related: [],
        omitted: entry.count,
      });
    }
    result.sort((a, b) => compareRanges(a.range, b.range));
    return result;
  }
}

/**
 * Findings added between the steps of a run (see FindingCollector.addRun): before its first step at
 * `at` or later, made when the collector reaches them (in the order of the slots). Their rules do
 * not collapse (they are an identifier's clashes), so they cannot be repeats of a run's findings.
 */
export interface KeptSlot {
  at: number;
  findings(): readonly Finding[];
}

/** One step of a KeptRun: a finding, or a collapsing finding with the repeats of it that follow in the run. */
interface KeptStep<T> {
  finding: Finding;
  origin: T;
  at: number;
  /** 0 for a finding that does not collapse; else how many like it the run holds from this one on. */
  count: number;
  /** The repeats' places, for a collapsing finding that rejects users (at most as many as a report lists after a first). */
  places: { range: Range; user: FindingUser | null; origin: T }[] | undefined;
}

/**
 * A run of kept findings folded for FindingCollector.addRun: what a block of an incremental
 * document's users adds on every keystroke, built once when the block changes. A document whose
 * users each carry a collapsed finding (record_type on every one) otherwise adds 100k findings per
 * keystroke (about 20 ms at 100k users); folded, a block of them is one step. `origin` is what
 * says, when the run is added, where its findings are now (the user they came from).
 */
export class KeptRun<T> {
  readonly steps: KeptStep<T>[] = [];
  /** The users the run's errors reject, each once. */
  readonly rejected = new Set<FindingUser>();
  /** Each collapsing finding's step, by rule, severity and words. */
  private firsts: ByWords<KeptStep<T>> | null = new ByWords();

  /** Adds a finding at `at` (not less than the last one's): addRun places slots by it. */
  add(finding: Finding, origin: T, at: number): void {
    const def = ruleDef(finding.rule);
    const rejects = def.rejects === 'user' && finding.severity === 'error';
    if (rejects && finding.user) this.rejected.add(finding.user);
    if (def.repeats !== 'collapse') {
      this.steps.push({ finding, origin, at, count: 0, places: undefined });
      return;
    }
    const first = this.firsts!.get(finding);
    if (!first) {
      const step: KeptStep<T> = { finding, origin, at, count: 1, places: rejects ? [] : undefined };
      this.firsts!.set(finding, step);
      this.steps.push(step);
      return;
    }
    first.count++;
    if (first.places && first.places.length < MAX_FINDINGS_PER_RULE - 1) first.places.push({ range: finding.range, user: finding.user ?? null, origin });
  }

  /** Ends the run: nothing more is added, and what only adding needed is let go. */
  seal(): this {
    this.firsts = null;
    return this;
  }
}

/**
 * Values by a collapsing finding's rule, severity and words (group, else message). Keyed by the
 * words as they are, not by one string made of all three, so that a repeat costs a lookup of a
 * string whose hash V8 already holds (an incremental document adds its kept findings again on
 * every keystroke: 100k of them when each user has one). collapseKey() is the same key as one string.
 */
class ByWords<V> {
  private readonly byRule = new Map<RuleId, Map<string, V>[]>();

  get(finding: Pick<Finding, 'rule' | 'severity' | 'group' | 'message'>): V | undefined {
    return this.byRule.get(finding.rule)?.[severityRank(finding.severity)]?.get(finding.group ?? finding.message);
  }

  set(finding: Pick<Finding, 'rule' | 'severity' | 'group' | 'message'>, value: V): void {
    let bySeverity = this.byRule.get(finding.rule);
    if (!bySeverity) this.byRule.set(finding.rule, (bySeverity = []));
    (bySeverity[severityRank(finding.severity)] ??= new Map()).set(finding.group ?? finding.message, value);
  }
}

/** Findings with the same key collapse into the first of them (rules with `repeats: 'collapse'`). */
export function collapseKey(finding: Pick<Finding, 'rule' | 'severity' | 'group' | 'message'>): string {
  return `${finding.rule}\u0000${finding.severity}\u0000${finding.group ?? finding.message}`;
}

function repeatNote(occurrences: number): string {
  const others = occurrences - 1;
  return `(The same in ${others.toLocaleString('en-US')} more ${others === 1 ? 'place' : 'places'} in this file, not listed.)`;
}

function severityRank(severity: Severity): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}
