/**
 * Which diagnostic links are rule pages, and the command link that opens one rendered. Plain
 * logic (no vscode), tested in test/client/rulePageLinks.test.ts.
 *
 * The server links each diagnostic to docs/rules/<rule>.md as a `file:` URI, right for every
 * editor. VS Code opens a `file:` link as text, in an editor where the Markdown shows as source;
 * its hover and Problems panel open a code link with commands allowed, so the extension turns the
 * link into a command link that opens the page's rendered preview.
 */

export const SHOW_RULE_PAGE = 'almaSis.showRulePage';

const RULE_ID = /^[a-z0-9-]+$/;

/** The rule whose page `href` is (a `file:` URI ending in /docs/rules/<rule>.md), or undefined. */
export function rulePageRule(href: string): string | undefined {
  const match = /^file:\/\/.*\/docs\/rules\/([a-z0-9-]+)\.md$/.exec(href);
  return match?.[1];
}

/** A rule id the command accepts: it names a file inside the extension, so nothing else may pass. */
export function isRuleId(value: unknown): value is string {
  return typeof value === 'string' && RULE_ID.test(value);
}

/** The parts of the command link `command:almaSis.showRulePage?["<rule>"]`, for vscode.Uri.from. */
export function rulePageCommand(rule: string): { scheme: 'command'; path: string; query: string } {
  return { scheme: 'command', path: SHOW_RULE_PAGE, query: JSON.stringify([rule]) };
}
