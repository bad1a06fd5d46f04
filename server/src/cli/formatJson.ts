import type { Finding } from '../engine/rules/finding';
import type { Range } from '../engine/text/span';
import type { SetResult } from '../engine/validation/results';

/**
 * The machine-readable report. Positions stay 0-based UTF-16, as LSP and the engine hold them.
 * Built field by field rather than by serialising the engine's objects so that the output's
 * shape is a stable contract for scripts, whatever else the engine adds to a finding.
 */
export function formatJson(result: SetResult): string {
  const report = {
    files: result.documents.map((doc) => ({
      path: doc.path,
      schemaVersion: doc.schemaVersion,
      users: doc.users,
      diagnostics: doc.findings.map(diagnostic),
    })),
    summary: {
      files: result.summary.files,
      users: result.summary.users,
      errors: result.summary.errors,
      warnings: result.summary.warnings,
      infos: result.summary.infos,
    },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function diagnostic(finding: Finding) {
  return {
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    range: range(finding.range),
    related: finding.related.map((r) => ({ path: r.path, range: range(r.range), message: r.message })),
  };
}

function range(r: Range): Range {
  return {
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
  };
}
