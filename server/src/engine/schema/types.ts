/**
 * The record model as data. `v2.ts` and `v1.ts` describe the element trees of the two formats
 * with these types; the checker walks them and holds no per-element code paths of its own.
 */

/** The lexical type of an element's text. */
export type ValueType =
  | 'string' // free text, limited by maxLength when given
  | 'code' // a code-table value (text), usually with an optional `desc` attribute
  | 'date' // xs:date: YYYY-MM-DD with an optional zone (Z, +hh:mm)
  | 'dateTime' // xs:dateTime
  | 'compactDate' // v1: YYYYMMDD
  | 'boolean' // xs:boolean: true, false, 1, 0
  | 'int' // xs:int
  | 'float'; // xs:float

/** How an element's children are arranged. */
export type ContentModel =
  | 'simple' // text only (ValueType applies)
  | 'all' // xs:all: any order, each child at most once (unless its max says otherwise)
  | 'sequence' // xs:sequence: children in the order listed
  | 'list'; // a wrapper holding one repeated child (user_identifiers/user_identifier)

/** What SIS does with an element. */
export type SisTreatment =
  | 'loaded' // the default: SIS load reads it
  | 'ignored' // SIS ignores it (user_roles, proxy_for_users, password...)
  | 'output' // output-only API field (full_name, loans, status_date...)
  | 'profile'; // set by the integration profile, file value ignored (record_type...)

/**
 * What an element means to the user-level rules. The checker finds identifiers, names and dates
 * through these roles, so v1 (`userName`) and v2 (`primary_id`) share one implementation.
 */
export type ElementRole =
  | 'user' // one user record (v2 user, v1 userRecord)
  | 'primaryId'
  | 'identifier' // one additional identifier segment (holds identifierType + identifierValue)
  | 'identifierType'
  | 'identifierValue'
  | 'firstName'
  | 'lastName'
  | 'expiryDate'
  | 'purgeDate'
  | 'pin'
  | 'researcher' // researcher data (Esploro only)
  | 'typeList'; // the *_types wrapper of an address/email/phone: needs at least one type

export interface AttributeDef {
  name: string;
  type: 'string' | 'boolean' | 'enum';
  /** For 'enum': the allowed values, case-sensitive. */
  values?: readonly string[];
  maxLength?: number;
  sis?: SisTreatment;
  /** At most one sibling in the same list may have this attribute set to true (preferred, preferred_sms). */
  uniqueTrue?: boolean;
  /** Human name of what the attribute marks, for messages ("preferred address"). */
  label?: string;
  /** A value outside `values` is a warning, not an error: what the loader does instead, for the message. */
  lenient?: string;
}

export interface ElementDef {
  name: string;
  content: ContentModel;
  /** For 'simple' content. Defaults to 'string'. */
  type?: ValueType;
  /** Maximum length in characters (XSD maxLength), for 'simple' content. */
  maxLength?: number;
  /** Children for 'all', 'sequence' and 'list' (a list has exactly one child def). */
  children?: readonly ElementDef[];
  /** Occurrences inside the parent. Defaults: min 0, max 1. 'unbounded' for list items. */
  min?: number;
  max?: number | 'unbounded';
  attributes?: readonly AttributeDef[];
  /** Code table for 'code' values: a key of CodeTables (see config/codeTables.ts). */
  codeTable?: string;
  /** Alma's fixed list for this code (status, record_type, account_type), case-sensitive. */
  fixedCodes?: readonly string[];
  sis?: SisTreatment;
  /** Why SIS ignores it, shown in the not-loaded message when given. */
  sisNote?: string;
  role?: ElementRole;
  /** Researcher (Esploro) data: the researcher-fields rule applies. */
  researcher?: boolean;
  /**
   * SIS-06: a field a synchronize keeps when staff changed it by hand (user_group, pin_number...);
   * sent empty, it may delete the existing value or reset it to the default.
   */
  protectedField?: boolean;
  /** Documented as mandatory although the XSD has minOccurs=0 (line1, city, note_text). */
  documentedMandatory?: boolean;
  /** Short label for messages ("barcode", "address"); defaults to the name. */
  label?: string;
  /**
   * Not in the 2022 schema copy, but written by real producers or newer Alma releases: who uses
   * it, as the end of a sentence ("Berkeley's production feed writes it daily."). Reported as
   * unlisted-element, a warning, rather than unknown-element, an error that would block a load.
   */
  unlisted?: string;
}

export interface SchemaModel {
  version: 1 | 2;
  /** The root element of a file of this version (users, userRecords). */
  root: ElementDef;
  /** Namespace URI the root must carry ('' for none). */
  namespace: string;
}
