/**
 * Small constructors for ElementDef data, shared by v1.ts, v2.ts and researcher.ts so the models
 * read as trees instead of repeated object literals. They only build plain objects.
 */
import type { AttributeDef, ElementDef, ValueType } from './types';

/** Everything of an ElementDef except what the builder itself decides. */
export type ElementOptions = Omit<ElementDef, 'name' | 'content' | 'children'>;

/** Free text; `maxLength` is omitted for a plain xs:string, which has no limit. */
export function text(name: string, maxLength?: number, options: ElementOptions = {}): ElementDef {
  return { name, content: 'simple', type: 'string', ...(maxLength === undefined ? {} : { maxLength }), ...options };
}

/** Text of a non-string lexical type (date, dateTime, compactDate, boolean, int, float). */
export function typed(name: string, type: Exclude<ValueType, 'string' | 'code'>, options: ElementOptions = {}): ElementDef {
  return { name, content: 'simple', type, ...options };
}

/** A coded value without attributes (v1 writes codes as bare text). */
export function code(name: string, options: ElementOptions = {}): ElementDef {
  return { name, content: 'simple', type: 'code', maxLength: 255, ...options };
}

const DESC_4000: AttributeDef = { name: 'desc', type: 'string', maxLength: 4000 };
const DESC_255: AttributeDef = { name: 'desc', type: 'string', maxLength: 255 };

/**
 * A v2 code: string255Length text (or string50Length via maxLength) with the optional display
 * attribute `desc`, which is string4000Length except where the XSD narrows it to string255Length.
 */
export function codeWithDesc(
  name: string,
  options: ElementOptions & { descMaxLength?: 255 | 4000 } = {},
): ElementDef {
  const { descMaxLength = 4000, ...rest } = options;
  return code(name, { attributes: [descMaxLength === 255 ? DESC_255 : DESC_4000], ...rest });
}

/** An element holding other elements, in any order ('all') or in the order given ('sequence'). */
export function group(
  name: string,
  content: 'all' | 'sequence',
  children: readonly ElementDef[],
  options: ElementOptions = {},
): ElementDef {
  return { name, content, children, ...options };
}

/** A wrapper around one repeated child; the child may repeat without limit unless it says otherwise. */
export function list(name: string, item: ElementDef, options: ElementOptions = {}): ElementDef {
  return { name, content: 'list', children: [{ max: 'unbounded', ...item }], ...options };
}

/** preferred / preferred_sms / preferredSMS: a boolean at most one sibling may set to true. */
export function preferenceFlag(name: string, label: string): AttributeDef {
  return { name, type: 'boolean', uniqueTrue: true, label };
}

/** v2's output-only `@link` (user, requests, loans, fees, proxy_for_user). */
export const LINK_ATTRIBUTE: AttributeDef = { name: 'link', type: 'string', sis: 'output' };

// SIS treatments shared by v1 and v2; the sisNote completes the sentence "<name> ...".

export const OUTPUT_ONLY: ElementOptions = {
  sis: 'output',
  sisNote: 'is output only: Alma fills it and ignores it on load.',
};

export const SET_BY_PROFILE: ElementOptions = {
  sis: 'profile',
  sisNote: 'is set by the integration profile on SIS load; the value in the file is ignored.',
};

export const INTERNAL_USERS_ONLY: ElementOptions = {
  sis: 'ignored',
  sisNote: 'is for internal users only; SIS loads external users, so it is not loaded.',
};

export const ROLES_NOT_LOADED: ElementOptions = {
  sis: 'ignored',
  sisNote: 'is not part of the SIS load (roles come from Role Assignment Rules).',
};

export const PROXIES_NOT_LOADED: ElementOptions = {
  sis: 'ignored',
  sisNote: 'is API only: the SIS load does not read proxies.',
};

// rest_user.xsd types that rest_researcher.xsd reuses, kept here so both files share one definition.

/**
 * segment_type (string10Length). The XSD documents "Internal" or "External" and says it is for the
 * User API only; SIS makes every incoming segment External whatever the attribute says.
 */
export const SEGMENT_TYPE_ATTRIBUTE: AttributeDef = {
  name: 'segment_type',
  type: 'enum',
  values: ['External', 'Internal'],
  maxLength: 10,
  // "Empty or illegal segment_type ... will be considered as external" (reference.md §1.4): a warning, not an error.
  lenient: 'SIS takes any other value as External',
};

/**
 * The `user_identifiers` type. `asUserIdentifiers` gives the segments the identifier roles; the
 * researcher's own list (rest_researcher.xsd) has the same shape but holds researcher identifiers,
 * which must not count as the user's match or duplicate-checked identifiers.
 */
export function userIdentifiersList(asUserIdentifiers: boolean): ElementDef {
  return list(
    'user_identifiers',
    group(
      'user_identifier',
      'all',
      [
        codeWithDesc('id_type', { min: 1, codeTable: 'identifierTypes', ...(asUserIdentifiers ? { role: 'identifierType' } : {}) }),
        text('value', 255, { min: 1, ...(asUserIdentifiers ? { role: 'identifierValue' } : {}) }),
        text('note', 2000),
        // A free string in the XSD; producers write ACTIVE.
        text('status', 255),
      ],
      { attributes: [SEGMENT_TYPE_ATTRIBUTE], label: 'identifier', ...(asUserIdentifiers ? { role: 'identifier' } : {}) },
    ),
  );
}
