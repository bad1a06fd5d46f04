import type { Severity } from './finding';
import { excerpt } from '../text/excerpt';

/**
 * A rule's definition. Where its findings go is not part of it: the scanner gives the span of a
 * well-formedness problem (the character, tag, attribute or markup at fault), and the checker
 * reports at the tag name, attribute or trimmed text the finding is about, which for some rules
 * depends on the place (max-length on an element's text or an attribute's value). The fixtures in
 * samples/invalid/ pin each rule's ranges.
 */
export interface RuleDef {
  id: string;
  severity: Severity;
  /** Message template; `{name}` placeholders are filled from the finding's arguments. */
  message: string;
  /** One line for the README, SARIF and hover. */
  description: string;
  /**
   * 'collapse': findings of this rule with the same words (a producer's template mistake, a
   * profile-set field, the same wrong date in every user) are reported once per file at their
   * first place, with the count of the others. The rules that reject one particular user (its
   * identifiers, its match id) and well-formedness problems are listed each, up to the cap.
   */
  repeats?: 'collapse';
  /**
   * 'user': an error of this rule makes Alma's loader reject the user it is in (and only that
   * user). Such a finding carries the user it is about, the summary counts the users rejected, and
   * when it collapses, the JSON and SARIF reports still list every place (within the caps), so a
   * report that rejects users always says which.
   */
  rejects?: 'user';
}

/**
 * Every rule the engine knows, in the order the README lists them. Adding a rule is one entry
 * here plus its check and tests; severities here are defaults that configuration may change.
 */
export const RULES = [
  { id: 'xml-syntax', severity: 'error', message: '{detail}',
    description: 'Not well-formed XML: unclosed or mismatched tags, a bare &, bad attribute quoting, text outside the root.' },
  { id: 'encoding', severity: 'error', message: '{detail}',
    description: 'Not UTF-8: another encoding is declared, or the bytes are not valid UTF-8.' },
  { id: 'bom', severity: 'warning', message: '{detail}',
    description: 'A byte order mark or anything else before the XML declaration.' },
  { id: 'invalid-char', severity: 'error', message: '{detail}',
    description: 'A character XML 1.0 forbids (control characters other than tab, CR, LF; U+FFFE, U+FFFF); one aborts the whole Alma job.' },
  { id: 'doctype', severity: 'error', message: '{detail}',
    description: 'A DOCTYPE or entity declaration; it is never expanded or fetched.' },
  { id: 'root-element', severity: 'error', message: '{detail}',
    description: 'The root is not <users> (v2) or <userRecords> (v1); <userRecords> around v2 users is a warning.' },
  { id: 'schema-version', severity: 'error', message: '{detail}',
    description: 'v1 and v2 vocabulary mixed, files of both versions in one set, or a version other than the profile\'s.', repeats: 'collapse' },
  { id: 'v1-deprecated', severity: 'info',
    message: 'This is a User XSD version 1 file. Ex Libris has deprecated v1; new integration profiles must use version 2.',
    description: 'A v1 file.' },
  { id: 'unknown-element', severity: 'error', message: '<{name}> is not allowed in <{parent}>.{hint}',
    description: 'An element the schema does not allow there, with a suggestion (recordType -> record_type).', repeats: 'collapse' },
  { id: 'unlisted-element', severity: 'warning', message: '<{name}> is not in the 2022 User XSD copy this tool checks against: Alma may read it or ignore it, and a schema check would reject it.',
    description: 'An element that real producers or newer Alma releases use but the 2022 schema copy lacks (pref_full_name).', repeats: 'collapse' },
  { id: 'element-case', severity: 'error', message: '<{name}> should be written <{expected}>: XML names are case-sensitive.',
    description: 'A known element written in another case (Primary_ID).', repeats: 'collapse' },
  { id: 'duplicate-element', severity: 'error', message: '<{name}> may appear only once in <{parent}>.',
    description: 'A child that may appear once appears twice.', repeats: 'collapse' },
  { id: 'element-order', severity: 'error', message: '<{name}> must come before <{after}> in <{parent}> (order: {order}).',
    description: 'contact_info children out of order (addresses, emails, phones).', repeats: 'collapse' },
  { id: 'missing-element', severity: 'error', message: '<{parent}> is missing the required <{name}>.',
    description: 'A required child is missing (address_types, email_address, id_type, value...).', repeats: 'collapse', rejects: 'user' },
  { id: 'unexpected-text', severity: 'error', message: 'Text is not allowed directly inside <{parent}>; it holds elements only.',
    description: 'Text where only child elements are allowed.', repeats: 'collapse' },
  { id: 'unknown-attribute', severity: 'error', message: 'Attribute {name} is not allowed on <{element}>.{hint}',
    description: 'An attribute the schema does not allow there.', repeats: 'collapse' },
  { id: 'attribute-case', severity: 'error', message: 'Attribute {name} should be written {expected}: XML names are case-sensitive.',
    description: 'A known attribute in another case (Segment_Type, Preferred).', repeats: 'collapse' },
  { id: 'attribute-value', severity: 'error', message: '{name}="{value}" is not allowed; {allowed}.',
    description: 'An attribute value outside what the attribute allows (segment_type="external", preferred="True").', repeats: 'collapse' },
  { id: 'invalid-date', severity: 'error', message: '"{value}" in <{name}> is not {problem}.',
    description: 'Not an xs:date (YYYY-MM-DD with optional zone) or xs:dateTime; v1 dates are YYYYMMDD.', repeats: 'collapse', rejects: 'user' },
  { id: 'invalid-boolean', severity: 'error', message: '"{value}" is not a boolean for <{name}>; use true, false, 1 or 0.',
    description: 'Not true, false, 1 or 0 (lowercase).', repeats: 'collapse', rejects: 'user' },
  { id: 'invalid-number', severity: 'error', message: '"{value}" is not a valid {kind} for <{name}>.',
    description: 'Not a valid xs:int or xs:float.', repeats: 'collapse', rejects: 'user' },
  { id: 'max-length', severity: 'error', message: '{what} is {length} characters long; the limit is {max}.',
    description: 'Longer than the schema allows (255 by default; campus_code 50, notes 2000...).', repeats: 'collapse', rejects: 'user' },
  { id: 'empty-value', severity: 'warning', message: '<{name}> is empty; {why}.',
    description: 'An empty typed or required element (<expiry_date/>); an error under strict.', repeats: 'collapse', rejects: 'user' },
  { id: 'not-loaded', severity: 'warning', message: '<{name}> {why}',
    description: 'A field SIS ignores or that is output only (user_roles, proxy_for_users, password, full_name, loans...).', repeats: 'collapse' },
  { id: 'profile-field', severity: 'info', message: '<{name}> is set by the integration profile on SIS load; the value in the file is ignored.',
    description: 'record_type, account_type, external_id: set by the profile.', repeats: 'collapse' },
  { id: 'missing-primary-id', severity: 'warning', message: '{detail}',
    description: 'No primary_id: Alma makes one from the names (an error when the names are missing too).', repeats: 'collapse', rejects: 'user' },
  { id: 'missing-match-id', severity: 'error', message: 'This user has no {matchId}, the profile\'s match identifier; Alma rejects it.',
    description: 'The profile\'s match identifier is absent from a user.', rejects: 'user' },
  { id: 'empty-identifier', severity: 'error', message: '{what} is empty.',
    description: 'An identifier with an empty value.', rejects: 'user' },
  { id: 'duplicate-identifier', severity: 'error', message: '{what} "{value}" is already used by an earlier user ({first}); Alma loads the first and rejects this user.',
    description: 'An identifier value already used by an earlier user in this file or an earlier file of the set.', rejects: 'user' },
  { id: 'duplicate-identifier-in-user', severity: 'error', message: '{what} "{value}" appears twice in this user (also as {first}); Alma rejects the user.',
    description: 'The same identifier value twice within one user.', rejects: 'user' },
  { id: 'identifier-case', severity: 'warning', message: '{what} "{value}" differs only in case from "{other}" ({first}); Alma may treat them as the same identifier.',
    description: 'Two identifiers that differ only in case.' },
  { id: 'segment-type-ignored', severity: 'info', message: 'segment_type="{value}" has no effect in a SIS load: every segment of the file becomes External. Only segments staff add in Alma stay Internal, and a synchronize keeps those.',
    description: 'segment_type="Internal" on a segment of the file: SIS ignores it and loads the segment as External.', repeats: 'collapse' },
  { id: 'multiple-preferred', severity: 'warning', message: 'More than one {what} is marked {attribute}="true"; only one may be.',
    description: 'More than one preferred address, email, phone, or SMS phone.', repeats: 'collapse' },
  { id: 'missing-type', severity: 'warning', message: '<{name}> has no {child}; every {segment} needs a type.',
    description: 'An address, email or phone without a type.', repeats: 'collapse' },
  { id: 'purge-before-expiry', severity: 'warning', message: 'purge_date {purge} is earlier than expiry_date {expiry}; the Purge Users job may delete this user before it expires.',
    description: 'purge_date earlier than expiry_date.', repeats: 'collapse' },
  { id: 'pin-format', severity: 'warning', message: 'pin_number "{value}" is not four digits.',
    description: 'pin_number is not four digits.', repeats: 'collapse' },
  { id: 'unknown-code', severity: 'warning', message: '"{value}" is not a known {table} code.{hint}',
    description: 'A coded value not in the institution\'s code tables (when configured), or not in Alma\'s fixed lists (status, record_type, account_type).', repeats: 'collapse' },
  { id: 'code-case', severity: 'warning', message: '"{value}" matches the {table} code "{expected}" only when case is ignored.',
    description: 'A coded value that matches a known code only when case is ignored.', repeats: 'collapse' },
  { id: 'researcher-fields', severity: 'warning', message: '{detail}',
    description: 'Researcher data in a users-only profile, or a user without researcher data in a researchers-only profile.', repeats: 'collapse' },
] as const satisfies readonly RuleDef[];

export type RuleId = (typeof RULES)[number]['id'];

const byId = new Map<string, RuleDef>(RULES.map((rule) => [rule.id, rule]));

export function ruleDef(id: RuleId): RuleDef {
  return byId.get(id)!;
}

export function isRuleId(id: string): id is RuleId {
  return byId.has(id);
}

/**
 * Arguments that quote the input (a value, a name): cut to an excerpt, so that no input can
 * make a message long. The others (`detail`, `hint`, `allowed`...) are our own sentences.
 */
const QUOTED_ARGUMENTS = new Set(['value', 'name', 'parent', 'expected', 'other', 'element', 'after', 'purge', 'expiry', 'what', 'table']);

/**
 * A template cut once into its literal text (even indexes) and placeholder names (odd indexes):
 * a hostile file can make millions of findings, and a regular expression per message was most of
 * their cost.
 */
const compiledTemplates = new Map<string, string[]>();

function compileTemplate(template: string): string[] {
  let parts = compiledTemplates.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    compiledTemplates.set(template, parts);
  }
  return parts;
}

/** Fills `{placeholders}`; an unknown placeholder stays visible rather than vanishing. */
export function formatMessage(template: string, args: Record<string, string | number>): string {
  const parts = compileTemplate(template);
  let message = parts[0];
  for (let k = 1; k < parts.length; k += 2) {
    const key = parts[k];
    const arg = args[key];
    if (arg === undefined) message += `{${key}}`;
    else message += QUOTED_ARGUMENTS.has(key) ? excerpt(String(arg)) : String(arg);
    message += parts[k + 1];
  }
  return message;
}
