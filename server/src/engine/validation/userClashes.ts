import type { ValidationSettings } from '../config/types';
import type { Finding, FindingUser, RelatedLocation } from '../rules/finding';
import { ruleDef, formatMessage } from '../rules/ruleTable';
import { toRange, type Range } from '../text/span';
import { checkIdentifiersAcrossUsers, spanOf, userLabel, type IdentifierRegistry, type IdentifierUse } from './identifiers';

/** A user checked elsewhere (a piece of an edited document, the second half of a file): what the set needs of it. */
export interface CheckedUser {
  uses: IdentifierUse[];
  /** It repeats one of its own identifiers: Alma rejects it, it holds none. */
  repeats: boolean;
  /** The user its findings name: the clashes found here name it too. */
  ref: FindingUser;
}

/**
 * Looks at a user's identifiers against the users before it, as the checker does when a user
 * closes, for a user whose other findings were made elsewhere: returns the clashes as findings
 * (in the order the checker reports them) and registers what the user takes. `ordinal`: the
 * user's place in the document, from 1 (messages name a user without primary_id by it).
 * `counted(rule)`: the collector they go to only counts findings of that rule now (it is at its
 * cap), so they are returned without words (no message, no related place).
 */
export function takeIdentifiers(registry: IdentifierRegistry, user: CheckedUser, documentIndex: number, ordinal: number, settings: ValidationSettings, counted?: (rule: Finding['rule']) => boolean): Finding[] {
  const found: Finding[] = [];
  const taken = checkIdentifiersAcrossUsers(registry, user.uses, documentIndex, (rule, use, first, words) => {
    let finding: Finding | null;
    if (counted?.(rule)) {
      finding = ruleFinding(settings, rule, toRange(spanOf(use)), null, []);
    } else {
      const { args, related } = words();
      finding = ruleFinding(settings, rule, toRange(spanOf(use)), args, [{ path: registry.documentPaths[first.documentIndex], range: toRange(spanOf(first)), message: related }]);
    }
    if (finding && ruleDef(rule).rejects === 'user') finding.user = user.ref;
    if (finding) found.push(finding);
  });
  if (!user.repeats && !taken) registry.register(user.uses, documentIndex, userLabel(primaryOf(user.uses), ordinal));
  return found;
}

export function primaryOf(uses: readonly IdentifierUse[]): IdentifierUse | null {
  return uses[0]?.primary ? uses[0] : null;
}

/**
 * A finding as the checker builds it (rule settings, severity, message from the rule table); null
 * when the rule is off. Without `args`, a finding with no message, for a collector that only counts it.
 */
export function ruleFinding(settings: ValidationSettings, rule: Finding['rule'], range: Range, args: Record<string, string> | null, related: RelatedLocation[]): Finding | null {
  const setting = settings.rules[rule];
  if (setting === 'off') return null;
  const def = ruleDef(rule);
  return { rule, severity: setting ?? def.severity, message: args ? formatMessage(def.message, args) : '', range, related };
}
