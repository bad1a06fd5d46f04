import type { Range } from '../text/span';
import type { RuleId } from './ruleTable';

export type Severity = 'error' | 'warning' | 'info';

/** A second place that explains a finding, e.g. the earlier user that took an identifier. */
export interface RelatedLocation {
  /** Display path of the document; `archive.zip!/entry.xml` for a zip entry. */
  path: string;
  range: Range;
  message: string;
}

/**
 * The user a finding is about, shared by every finding of that user: its primary_id is known only
 * once the user ends (xs:all lets primary_id come last), and is filled in then.
 */
export interface FindingUser {
  primaryId: string | null;
}

/** One place of a collapsed finding that rejects users: where, and which user. */
export interface FindingPlace {
  range: Range;
  user: FindingUser | null;
}

/**
 * One diagnostic as the engine reports it. The LSP adapter maps it to an LSP Diagnostic with
 * `code = rule` and `source = "alma-sis"`; the CLI prints it. Ranges are 0-based, UTF-16.
 */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  /** Certain replacements for quick fixes, e.g. the correctly cased element name. */
  suggestions?: string[];
  /**
   * For a rule that collapses repeats: findings with the same group are one finding, even when
   * their words differ (every empty field SIS ignores, whichever it is). Without it, the words decide.
   */
  group?: string;
  /** For a collapsed finding: how many places in the file it stands for (its own included), when more than one. */
  occurrences?: number;
  /** The user the finding is inside, for rules that reject users (see RuleDef.rejects). */
  user?: FindingUser;
  /**
   * For a collapsed finding of a rule that rejects users: every place it stands for, its own
   * first, at most MAX_FINDINGS_PER_RULE; reports that list places (JSON, SARIF) print them.
   */
  places?: FindingPlace[];
  /** For the notice that ends a capped rule: how many findings of that rule were not listed. */
  omitted?: number;
}
