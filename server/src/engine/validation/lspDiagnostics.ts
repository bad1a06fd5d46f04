import { Diagnostic, DiagnosticSeverity, DiagnosticRelatedInformation, Location } from 'vscode-languageserver-types';
import type { Finding, Severity } from '../rules/finding';

export const DIAGNOSTIC_SOURCE = 'alma-sis';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** What a diagnostic carries for code actions: the certain replacements the rule found. */
export interface DiagnosticData {
  suggestions?: string[];
}

/**
 * A finding as an LSP Diagnostic: the rule id as `code`, source "alma-sis", related places as
 * relatedInformation. `uriOf` maps the engine's display paths (including `a.zip!/b.xml`) to URIs.
 */
export function toLspDiagnostic(finding: Finding, uriOf: (path: string) => string): Diagnostic {
  const diagnostic = Diagnostic.create(finding.range, finding.message, SEVERITY[finding.severity], finding.rule, DIAGNOSTIC_SOURCE);
  if (finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((r) =>
      DiagnosticRelatedInformation.create(Location.create(uriOf(r.path), r.range), r.message),
    );
  }
  if (finding.suggestions) diagnostic.data = { suggestions: finding.suggestions } satisfies DiagnosticData;
  return diagnostic;
}
