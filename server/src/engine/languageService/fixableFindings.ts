/**
 * The findings "fix all" needs: every finding of the rules it can fix, one per place. The
 * validator's usual report collapses a finding repeated in every user into one and caps each
 * rule, which is right for reading but would leave all but the first place unfixed; this
 * validation keeps the places of those rules and nothing else.
 */
import type { ValidationSettings } from '../config/types';
import type { Finding } from '../rules/finding';
import type { RuleId } from '../rules/ruleTable';
import { DocumentChecker } from '../validation/documentChecker';
import { FindingCollector } from '../validation/findingCollector';
import { IdentifierRegistry } from '../validation/identifiers';
import { newSetState } from '../validation/validateDocument';
import { scanBytes } from '../xml/scanner';

/** More places than this are left for the next run: an edit of this size is already huge. */
export const MAX_FIXABLE_FINDINGS = 100_000;

class KeepPlaces extends FindingCollector {
  readonly kept: Finding[] = [];

  constructor(private readonly rules: ReadonlySet<string>) {
    super();
  }

  override add(finding: Finding): void {
    if (this.rules.has(finding.rule) && this.kept.length < MAX_FIXABLE_FINDINGS) this.kept.push(finding);
  }

  override isFull(rule: RuleId): boolean {
    return !this.rules.has(rule) || this.kept.length >= MAX_FIXABLE_FINDINGS;
  }

  override drop(): void {}

  override finish(): Finding[] {
    return this.kept;
  }
}

/** Every finding of `rules` in the text, uncollapsed and uncapped (up to MAX_FIXABLE_FINDINGS). */
export function fixableFindings(text: string, path: string, settings: ValidationSettings, rules: ReadonlySet<string>): Finding[] {
  const collector = new KeepPlaces(rules);
  const checker = new DocumentChecker(path, settings, new IdentifierRegistry(), newSetState(), { findings: collector });
  scanBytes(Buffer.from(text, 'utf8'), checker);
  return checker.result().findings;
}
