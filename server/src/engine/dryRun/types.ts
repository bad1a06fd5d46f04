/**
 * What a dry-run reports: Alma's four job-report buckets (created, updated, unchanged, rejected)
 * per input user, in load order, with the reason of each rejection and the field-level changes of
 * each update.
 */

export type DryRunMode = 'synchronize' | 'import';

export type DryRunOutcome = 'new' | 'updated' | 'unchanged' | 'rejected';

export type RejectReason =
  | 'duplicate-in-feed' // an earlier input user already used one of its identifiers (first wins)
  | 'identifier-taken' // an identifier belongs to another existing user
  | 'internal-user' // the matched user is an internal account, which SIS never updates
  | 'unmatched-rejected' // no match, and the profile says unmatched: reject
  | 'missing-match-id' // the profile's match identifier is absent
  | 'exists' // import mode: the user already exists
  | 'invalid'; // the record has errors the loader rejects

export const REJECT_REASONS: readonly RejectReason[] = [
  'duplicate-in-feed', 'identifier-taken', 'internal-user', 'unmatched-rejected', 'missing-match-id', 'exists', 'invalid',
];

export interface FieldChange {
  /** `user_group`, `contact_info/phones/phone`, `user_identifiers/BARCODE`... */
  path: string;
  change: 'added' | 'changed' | 'removed';
  old: string | null;
  new: string | null;
}

export interface DryRunUser {
  primaryId: string | null;
  outcome: DryRunOutcome;
  reason: RejectReason | null;
  /** One sentence on why it was rejected (which identifier, which user, which rule). */
  detail: string | null;
  /** Display path of the input document (`feed.zip!/a.xml` for a zip entry). */
  path: string;
  /** The `<user>` start tag's name, 0-based line and UTF-16 column (LSP units). */
  line: number;
  col: number;
  endCol: number;
  changes: FieldChange[];
}

export interface DryRunSummary {
  total: number;
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** rejected / total (0 for an empty input). */
  failureRate: number;
  /** The rejected share reached ALERT_THRESHOLD. */
  alert: boolean;
}

export interface DryRunReport {
  summary: DryRunSummary;
  users: DryRunUser[];
  mode: DryRunMode;
  matchIdType: string;
  unmatched: 'add' | 'reject';
  /** The baseline's documents and how many users it holds. */
  baseline: { paths: string[]; users: number };
  inputs: string[];
  /** The User XSD v1 documents compared with a v2 side through the v1 to v2 mapping, under v2 names. */
  mappedFromV1: string[];
}

/** Alma's failure-rate alert: the job report warns when this share of users is rejected. */
export const ALERT_THRESHOLD = 0.05;
