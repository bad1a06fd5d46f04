import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Diagnostic, DiagnosticSeverity, type Range } from 'vscode-languageserver';
import { toLspDiagnostic, countSeverities, DIAGNOSTIC_SOURCE, type DocumentResult, type Finding, type ConfigError } from '../engine';
import { DEFAULT_SETTINGS } from '../protocol/settings';

/**
 * Where each rule is documented: its page, docs/rules/<rule>.md, shipped beside the server (the
 * .vsix and the npm package carry docs/rules/), so the link works offline and opens the rule's own
 * page (what it checks, why Alma cares, examples, the fix). A `file:` link: VS Code's extension
 * opens it as a rendered preview, other editors as they open Markdown. Undefined when no page
 * folder is found: diagnostics then carry no link.
 */
export const RULE_PAGES_DIR = findRulePages();

const pageUrls = new Map<string, string | undefined>();

/** The `file:` URL of a rule's page, or undefined when there is none. */
export function ruleDocumentationUrl(rule: string): string | undefined {
  if (!pageUrls.has(rule)) {
    const path = RULE_PAGES_DIR && /^[a-z0-9-]+$/.test(rule) ? join(RULE_PAGES_DIR, `${rule}.md`) : undefined;
    pageUrls.set(rule, path && existsSync(path) ? pathToFileURL(path).href : undefined);
  }
  return pageUrls.get(rule);
}

function findRulePages(): string | undefined {
  let dir = __dirname;
  for (let up = 0; up < 5; up++) {
    const pages = join(dir, 'docs', 'rules');
    if (existsSync(pages)) return pages;
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
  const href = typeof diagnostic.code === 'string' ? ruleDocumentationUrl(diagnostic.code) : undefined;
  if (href) diagnostic.codeDescription = { href };
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
