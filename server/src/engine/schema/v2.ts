/**
 * User XSD v2: the REST `user` object of rest_user.xsd (2022 copy, see reference.md §1.1), in the
 * XSD's declaration order. Lengths, occurrences and content models are the XSD's; `sis`, roles,
 * fixed code lists and documentedMandatory come from its documentation and reference.md §1.3–§7.
 */
import {
  INTERNAL_USERS_ONLY,
  LINK_ATTRIBUTE,
  OUTPUT_ONLY,
  PROXIES_NOT_LOADED,
  ROLES_NOT_LOADED,
  SEGMENT_TYPE_ATTRIBUTE,
  SET_BY_PROFILE,
  codeWithDesc,
  group,
  list,
  preferenceFlag,
  text,
  typed,
  userIdentifiersList,
} from './elementBuilders';
import { RESEARCHER_ELEMENT } from './researcher';
import type { ElementDef, SchemaModel } from './types';

/** ContentStructureStatus. The XSD has no enumerations; these are Alma's system table values. */
export const V2_STATUS_CODES: readonly string[] = ['ACTIVE', 'INACTIVE'];
/** AddNewUserOptions. */
export const V2_RECORD_TYPES: readonly string[] = ['PUBLIC', 'STAFF', 'CONTACT'];
/** UserUserType. SIS always creates External users. */
export const V2_ACCOUNT_TYPES: readonly string[] = ['EXTERNAL', 'INTERNAL'];

/** An address/email/phone type wrapper: required by the XSD, though its repeated child is not. */
function typeList(name: string, itemName: string, codeTable: string): ElementDef {
  return list(name, codeWithDesc(itemName, { codeTable }), { min: 1, role: 'typeList' });
}

const ADDRESS = group(
  'address',
  'all',
  [
    // Plain xs:string in the XSD, unlike line2..line5.
    text('line1', undefined, { documentedMandatory: true }),
    text('line2', 255),
    text('line3', 255),
    text('line4', 255),
    text('line5', 255),
    text('city', 255, { documentedMandatory: true }),
    text('state_province', 255),
    text('postal_code', 255),
    codeWithDesc('country', { codeTable: 'countries' }),
    text('address_note', 1000),
    typed('start_date', 'date'),
    typed('end_date', 'date'),
    typeList('address_types', 'address_type', 'addressTypes'),
  ],
  { attributes: [preferenceFlag('preferred', 'preferred address'), SEGMENT_TYPE_ATTRIBUTE], label: 'address' },
);

const EMAIL = group(
  'email',
  'all',
  [
    text('email_address', 255, { min: 1 }),
    text('description', 255),
    typeList('email_types', 'email_type', 'emailTypes'),
  ],
  { attributes: [preferenceFlag('preferred', 'preferred email'), SEGMENT_TYPE_ATTRIBUTE], label: 'email' },
);

const PHONE = group(
  'phone',
  'all',
  [text('phone_number', 255, { min: 1 }), typeList('phone_types', 'phone_type', 'phoneTypes')],
  {
    attributes: [
      preferenceFlag('preferred', 'preferred phone'),
      preferenceFlag('preferred_sms', 'SMS phone'),
      SEGMENT_TYPE_ATTRIBUTE,
    ],
    label: 'phone',
  },
);

/** Strict XSD order: addresses, then emails, then phones. */
const CONTACT_INFO = group('contact_info', 'sequence', [
  list('addresses', ADDRESS),
  list('emails', EMAIL),
  list('phones', PHONE),
]);

const USER_ROLES = list(
  'user_roles',
  group('user_role', 'all', [
    codeWithDesc('status'),
    codeWithDesc('scope', { maxLength: 50, descMaxLength: 255 }),
    codeWithDesc('role_type'),
    typed('expiry_date', 'date'),
    list(
      'parameters',
      group('parameter', 'all', [
        codeWithDesc('type'),
        codeWithDesc('scope', { descMaxLength: 255 }),
        codeWithDesc('value'),
      ]),
    ),
  ]),
  ROLES_NOT_LOADED,
);

const USER_BLOCKS = list(
  'user_blocks',
  group(
    'user_block',
    'all',
    [
      codeWithDesc('block_type', { codeTable: 'blockTypes' }),
      codeWithDesc('block_description', { min: 1, codeTable: 'blockDescriptions' }),
      // A free string documented as Active or Inactive.
      text('block_status', 255),
      text('block_note', 2000),
      text('created_by', 255),
      typed('created_date', 'dateTime'),
      typed('expiry_date', 'dateTime'),
      text('item_loan_id'),
      text('block_owner'),
    ],
    { attributes: [SEGMENT_TYPE_ATTRIBUTE], label: 'block' },
  ),
);

const USER_NOTES = list(
  'user_notes',
  group(
    'user_note',
    'all',
    [
      codeWithDesc('note_type', { min: 1, codeTable: 'noteTypes' }),
      text('note_text', 2000, { documentedMandatory: true }),
      typed('user_viewable', 'boolean', { min: 1 }),
      typed('popup_note', 'boolean', { min: 1 }),
      text('created_by', 255),
      typed('created_date', 'dateTime'),
      text('note_owner'),
    ],
    { attributes: [SEGMENT_TYPE_ATTRIBUTE], label: 'note' },
  ),
);

const USER_STATISTICS = list(
  'user_statistics',
  group(
    'user_statistic',
    'all',
    [
      codeWithDesc('statistic_category', { min: 1, codeTable: 'statisticCategories' }),
      // The XSD calls category_type an output parameter, yet producers send it; treated as loaded.
      codeWithDesc('category_type', { codeTable: 'statisticalTypes' }),
      text('statistic_note', 2000),
    ],
    { attributes: [SEGMENT_TYPE_ATTRIBUTE], label: 'statistic' },
  ),
);

const PROXY_FOR_USERS = list(
  'proxy_for_users',
  // Another user's primary_id: deliberately without the primaryId role.
  group('proxy_for_user', 'sequence', [text('primary_id', 255), text('full_name', 600)], {
    attributes: [LINK_ATTRIBUTE],
  }),
  PROXIES_NOT_LOADED,
);

const USER = group(
  'user',
  'all',
  [
    codeWithDesc('record_type', { fixedCodes: V2_RECORD_TYPES, ...SET_BY_PROFILE }),
    text('primary_id', 255, { role: 'primaryId', label: 'primary ID' }),
    text('first_name', 255, { role: 'firstName' }),
    text('middle_name', 255),
    text('last_name', 255, { role: 'lastName' }),
    text('full_name', 600, OUTPUT_ONLY),
    text('pin_number', 255, { role: 'pin', protectedField: true }),
    codeWithDesc('user_title', { codeTable: 'userTitles', protectedField: true }),
    codeWithDesc('job_category', { codeTable: 'jobCategories', protectedField: true }),
    text('job_description', 255),
    codeWithDesc('gender', { codeTable: 'genders' }),
    codeWithDesc('user_group', { codeTable: 'userGroups', protectedField: true }),
    codeWithDesc('campus_code', { maxLength: 50, descMaxLength: 255, codeTable: 'campusCodes', protectedField: true }),
    text('web_site_url', 255),
    codeWithDesc('cataloger_level', { codeTable: 'catalogerLevels' }),
    codeWithDesc('preferred_language', { codeTable: 'preferredLanguages', protectedField: true }),
    typed('birth_date', 'date'),
    typed('expiry_date', 'date', { role: 'expiryDate' }),
    typed('purge_date', 'date', { role: 'purgeDate' }),
    codeWithDesc('account_type', { fixedCodes: V2_ACCOUNT_TYPES, ...SET_BY_PROFILE }),
    text('external_id', 255, SET_BY_PROFILE),
    text('password', 255, INTERNAL_USERS_ONLY),
    // string4Length, documented value TRUE: not an xs:boolean.
    text('force_password_change', 4, INTERNAL_USERS_ONLY),
    codeWithDesc('status', { fixedCodes: V2_STATUS_CODES }),
    typed('status_date', 'date', OUTPUT_ONLY),
    typed('last_patron_activity_date', 'date', OUTPUT_ONLY),
    typed('requests', 'int', { attributes: [LINK_ATTRIBUTE], ...OUTPUT_ONLY }),
    typed('loans', 'int', { attributes: [LINK_ATTRIBUTE], ...OUTPUT_ONLY }),
    typed('fees', 'float', { attributes: [LINK_ATTRIBUTE], ...OUTPUT_ONLY }),
    CONTACT_INFO,
    userIdentifiersList(true),
    USER_ROLES,
    USER_BLOCKS,
    USER_NOTES,
    USER_STATISTICS,
    PROXY_FOR_USERS,
    list('rs_libraries', group('rs_library', 'all', [
      codeWithDesc('code', { maxLength: 50, descMaxLength: 255, codeTable: 'rsLibraries' }),
    ]), { protectedField: true }),
    list('library_notices', group('library_notice', 'all', [
      codeWithDesc('code', { descMaxLength: 255, codeTable: 'libraryNotices' }),
      typed('value', 'boolean'),
    ]), { protectedField: true }),
    text('source_link_id', undefined, OUTPUT_ONLY),
    text('source_institution_code', undefined, OUTPUT_ONLY),
    text('linking_id', undefined, OUTPUT_ONLY),
    text('pref_first_name', 255),
    text('pref_middle_name', 255),
    text('pref_last_name', 255),
    text('pref_name_suffix', 255, { researcher: true }),
    // Berkeley's user load writes it every day (reference.md §1.1); whether Alma reads it is not known.
    text('pref_full_name', 255, { unlisted: "Berkeley's production feed writes it daily; newer Alma releases may have added it." }),
    typed('is_researcher', 'boolean', { researcher: true }),
    RESEARCHER_ELEMENT,
  ],
  { role: 'user', attributes: [LINK_ATTRIBUTE], label: 'user' },
);

export const V2_MODEL: SchemaModel = {
  version: 2,
  // The official XSD declares no root; `users` is the convention of Ex Libris's converters and
  // producers (reference.md §2), and the schema copy's added `users` is untyped.
  // total_record_count: declared on <users> by Ex Libris's rest_users.xsd (the API's list of users).
  root: list('users', USER, { attributes: [{ name: 'total_record_count', type: 'string', maxLength: 20 }] }),
  namespace: '',
};
