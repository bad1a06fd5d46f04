import type { Finding, RelatedLocation, Severity } from '../../server/src/engine/rules/finding';
import type { RuleId } from '../../server/src/engine/rules/ruleTable';
import type { Range } from '../../server/src/engine/text/span';
import { summarize, type DocumentResult, type SetResult } from '../../server/src/engine/validation/results';

/** Builders for SetResults as the engine hands them to the formatters. */

export function range(line: number, character: number, endLine: number, endCharacter: number): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

export function finding(
  rule: RuleId,
  severity: Severity,
  message: string,
  where: Range,
  related: RelatedLocation[] = [],
): Finding {
  return { rule, severity, message, range: where, related };
}

/** A document's result; a path with `.zip!/` is taken as an entry of that zip, as expandInputs marks it. */
export function doc(path: string, findings: Finding[], users = 1, schemaVersion: 1 | 2 | null = 2): DocumentResult {
  const cut = path.lastIndexOf('.zip!/');
  const archive = cut < 0 ? undefined : { path: path.slice(0, cut + 4), entry: path.slice(cut + 6) };
  return { path, ...(archive ? { archive } : {}), schemaVersion, users, findings };
}

export function setResult(...documents: DocumentResult[]): SetResult {
  return { documents, summary: summarize(documents) };
}

/**
 * Two files of a load: the second repeats the first's primary_id (a related location across
 * files) and has a warning and an info; the first has an invalid date.
 */
export function sampleSet(firstPath = 'feed/students.xml', secondPath = 'feed/staff.xml'): SetResult {
  return setResult(
    doc(firstPath, [
      finding('invalid-date', 'error', '"2025-13-01" is not a valid date for <expiry_date>; use YYYY-MM-DD.', range(4, 17, 4, 27)),
    ], 2),
    doc(secondPath, [
      finding('duplicate-identifier', 'error', 'primary_id "a1" is already used by an earlier user (feed/students.xml line 3); Alma loads the first and rejects this user.',
        range(2, 16, 2, 18), [{ path: firstPath, range: range(2, 16, 2, 18), message: 'first used here' }]),
      finding('pin-format', 'warning', 'pin_number "12" is not four digits.', range(5, 14, 5, 16)),
      finding('v1-deprecated', 'info', 'This is a User XSD version 1 file.', range(1, 1, 1, 12)),
    ], 3),
  );
}
