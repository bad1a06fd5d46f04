import type { Finding } from '../rules/finding';
import { RULES, type RuleDef, type RuleId } from '../rules/ruleTable';
import { compareRanges } from '../text/span';
import { FindingCollector } from '../validation/findingCollector';

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

/** Errors that make Alma reject the whole file ("Could not parse file", an aborted job). */
export const FILE_RULES: ReadonlySet<RuleId> = new Set<RuleId>(['xml-syntax', 'encoding', 'invalid-char', 'doctype', 'root-element', 'schema-version']);

/** What the replay needs of the finding that rejects a user. */
export type Rejection = Pick<Finding, 'rule' | 'message'>;

/**
 * Receives the checker's findings as they are reported, while the collector is inside the user
 * they are about: the checker's own report collapses repeated findings and caps each rule per
 * file, so it cannot say which of 100k users had an invalid date. The report still gets them all.
 */
export class RejectionFindings extends FindingCollector {
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

  /** The rejection of user `k`, forgotten here once taken. */
  take(k: number): Finding | undefined {
    const rejection = this.byUser[k];
    this.byUser[k] = undefined;
    return rejection;
  }
}

/** The first (in the file) error that makes Alma refuse the whole file. */
export function firstFileError(findings: readonly Finding[]): Finding | undefined {
  let first: Finding | undefined;
  for (const f of findings) {
    if (f.severity !== 'error' || !FILE_RULES.has(f.rule)) continue;
    if (!first || compareRanges(f.range, first.range) < 0) first = f;
  }
  return first;
}
