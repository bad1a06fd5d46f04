import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Diagnostic, DiagnosticSeverity, type Range } from 'vscode-languageserver';
import { toLspDiagnostic, countSeverities, DIAGNOSTIC_SOURCE, type DocumentResult, type Finding, type ConfigError } from '../engine';
import { DEFAULT_SETTINGS } from '../protocol/settings';

/**
 * Where a rule is documented: the rule table of the README that ships beside the server (the
 * .vsix and the npm package carry it), so the link works offline and never points at a page that
 * may not exist. Undefined when no README is found: diagnostics then carry no link.
 */
export const RULE_DOCUMENTATION_URL = findReadme();

function findReadme(): string | undefined {
  let dir = __dirname;
  for (let up = 0; up < 5; up++) {
    // vsce stores the README as readme.md.
    for (const name of ['README.md', 'readme.md']) {
      const path = join(dir, name);
      if (existsSync(path)) return `${pathToFileURL(path).href}#rules`;
    }
    dir = dirname(dir);
  }
  return undefined;
}

export const DEFAULT_MAX_PROBLEMS = DEFAULT_SETTINGS.maxProblems;

const RANK = { error: 0, warning: 1, info: 2 } as const;

/**
 * The diagnostics an editor shows for a result: at most `maxProblems`, errors first, then one
 * more that says how many were left out (an editor slows down with tens of thousands).
 */
export function toDiagnostics(result: DocumentResult, uriOf: (path: string) => string, maxProblems = DEFAULT_MAX_PROBLEMS): Diagnostic[] {
  let findings = result.findings;
  let leftOut: Finding[] = [];
  const cap = Math.max(0, Math.floor(maxProblems));
  if (findings.length > cap) {
    // A stable sort keeps position order within a severity.
    const ranked = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
    findings = ranked.slice(0, cap);
    leftOut = ranked.slice(cap);
  }
  const diagnostics = findings.map((f) => withDocumentation(toLspDiagnostic(f, uriOf)));
  if (leftOut.length > 0) diagnostics.push(leftOutNotice(leftOut, cap));
  return diagnostics;
}

function withDocumentation(diagnostic: Diagnostic): Diagnostic {
  if (typeof diagnostic.code === 'string' && RULE_DOCUMENTATION_URL) diagnostic.codeDescription = { href: RULE_DOCUMENTATION_URL };
  return diagnostic;
}

function leftOutNotice(leftOut: readonly Finding[], cap: number): Diagnostic {
  const counts = countSeverities(leftOut);
  const parts = [plural(counts.errors, 'error'), plural(counts.warnings, 'warning'), plural(counts.infos, 'info')].filter(Boolean);
  const first = leftOut.reduce((a, b) => (comparePosition(b.range, a.range) < 0 ? b : a));
  const severity = counts.errors > 0 ? DiagnosticSeverity.Error : counts.warnings > 0 ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
  return Diagnostic.create(
    first.range,
    `${plural(leftOut.length, 'more problem')} ${leftOut.length === 1 ? 'is' : 'are'} not shown (${parts.join(', ')}): the editor shows at most ${cap.toLocaleString('en-US')} per file (setting alma-sis.maxProblems). \`alma-sis validate\` lists them all.`,
    severity,
    undefined,
    DIAGNOSTIC_SOURCE,
  );
}

function plural(n: number, what: string): string {
  return n === 0 ? '' : `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

function comparePosition(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character;
}

/** A configuration that cannot be used, as diagnostics in that file (ConfigError lines and columns are 1-based). */
export function configErrorDiagnostics(error: ConfigError): Diagnostic[] {
  return error.problems.map((problem) => {
    const line = Math.max(0, (problem.line ?? 1) - 1);
    const character = Math.max(0, (problem.column ?? 1) - 1);
    return Diagnostic.create({ start: { line, character }, end: { line, character: character + 1 } }, problem.message, DiagnosticSeverity.Error, 'config', DIAGNOSTIC_SOURCE);
  });
}
