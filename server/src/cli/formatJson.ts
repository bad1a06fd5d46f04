import type { Finding, Range, SetResult } from '../engine';

/**
 * The machine-readable report. Positions stay 0-based UTF-16, as LSP and the engine hold them.
 * Built field by field rather than by serialising the engine's objects so that the output's
 * shape is a stable contract for scripts, whatever else the engine adds to a finding.
 */
export function formatJson(result: SetResult): string {
  return [...jsonReport(result)].join('');
}

/**
 * The same report in pieces, one diagnostic at a time, byte for byte what
 * JSON.stringify(report, null, 2) would give: a 300k-user file can have hundreds of thousands
 * of findings, and the report should not be held as one string beside them.
 */
export function* jsonReport(result: SetResult): Generator<string> {
  yield '{\n  "files": [';
  for (let d = 0; d < result.documents.length; d++) {
    const doc = result.documents[d];
    const head = JSON.stringify({ path: doc.path, schemaVersion: doc.schemaVersion, users: doc.users }, null, 2);
    // The head's closing brace is replaced by the diagnostics member.
    yield `${d === 0 ? '' : ','}\n    ${indent(head.slice(0, -2), 4)},\n      "diagnostics": [`;
    for (let k = 0; k < doc.findings.length; k++) {
      yield `${k === 0 ? '' : ','}\n        ${indent(JSON.stringify(diagnostic(doc.findings[k]), null, 2), 8)}`;
    }
    yield doc.findings.length === 0 ? ']\n    }' : '\n      ]\n    }';
  }
  yield result.documents.length === 0 ? '],\n' : '\n  ],\n';
  const summary = {
    files: result.summary.files,
    users: result.summary.users,
    errors: result.summary.errors,
    warnings: result.summary.warnings,
    infos: result.summary.infos,
    rejectedUsers: result.summary.rejectedUsers ?? 0,
  };
  yield `  "summary": ${indent(JSON.stringify(summary, null, 2), 2)}\n}\n`;
}

function indent(json: string, spaces: number): string {
  return json.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}

function diagnostic(finding: Finding) {
  return {
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    range: range(finding.range),
    related: finding.related.map((r) => ({ path: r.path, range: range(r.range), message: r.message })),
    // Present only when they apply: how many places a collapsed finding stands for, and how many
    // findings of the rule a cap left out.
    ...(finding.occurrences !== undefined ? { occurrences: finding.occurrences } : {}),
    ...(finding.omitted !== undefined ? { omitted: finding.omitted } : {}),
    // A finding that rejects users: which user; collapsed, every place it stands for, with its user.
    ...(finding.user !== undefined ? { primaryId: finding.user.primaryId } : {}),
    ...(finding.places !== undefined ? { places: finding.places.map((p) => ({ range: range(p.range), primaryId: p.user?.primaryId ?? null })) } : {}),
  };
}

function range(r: Range): Range {
  return {
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
  };
}
