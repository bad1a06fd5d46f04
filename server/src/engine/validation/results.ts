import type { Finding } from '../rules/finding';
import type { ArchiveMember } from '../files/inputDocument';

/** The outcome of validating one XML document (a file, an open editor buffer, or a zip entry). */
export interface DocumentResult {
  /** Display path: as given on the command line, or `archive.zip!/entry.xml` for a zip entry. */
  path: string;
  /** Set when the document is an entry of a zip. */
  archive?: ArchiveMember;
  /** Detected User XSD version; null when the root was not recognised (or there was none). */
  schemaVersion: 1 | 2 | null;
  /** Number of user records seen (<user> or <userRecord>). */
  users: number;
  /** Findings sorted by position. */
  findings: Finding[];
  /** Users that an error of a rule that rejects users (RuleDef.rejects) is about, each once. */
  rejectedUsers?: number;
}

export interface Summary {
  files: number;
  users: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Users the errors reject (a file-level error rejects the whole file instead: not counted here). */
  rejectedUsers?: number;
}

/** The outcome of validating a set of documents in load order (identifiers are unique across it). */
export interface SetResult {
  documents: DocumentResult[];
  summary: Summary;
}

export interface Progress {
  /** The document being read. */
  path: string;
  /** Bytes read so far over the whole set, and the set's total; a zip entry counts its uncompressed bytes. */
  bytesDone: number;
  bytesTotal: number;
}

export interface SeverityCounts {
  errors: number;
  warnings: number;
  infos: number;
}

/**
 * Findings by severity, each counted once as it is listed: a finding collapsed "once per file"
 * is one, as is a cap's notice, so that a clean feed's counts stay as quiet as its report.
 */
export function countSeverities(findings: readonly Finding[], into: SeverityCounts = { errors: 0, warnings: 0, infos: 0 }): SeverityCounts {
  for (const f of findings) {
    if (f.severity === 'error') into.errors++;
    else if (f.severity === 'warning') into.warnings++;
    else into.infos++;
  }
  return into;
}

export function summarize(documents: DocumentResult[]): Summary {
  const summary: Summary = { files: documents.length, users: 0, errors: 0, warnings: 0, infos: 0, rejectedUsers: 0 };
  for (const doc of documents) {
    summary.users += doc.users;
    summary.rejectedUsers = (summary.rejectedUsers ?? 0) + (doc.rejectedUsers ?? 0);
    countSeverities(doc.findings, summary);
  }
  return summary;
}
