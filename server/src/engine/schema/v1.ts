/**
 * User XSD v1, the deprecated "external system user" format. No copy of its XSD
 * (external_sys_user.xsd) was found, so this tree is rebuilt from reference.md §3.2: a real Otago
 * file, BU's v1-to-v2 converter, the Condorcet and Perl generators, a UConn mapping quoting v1.0
 * occurrences, and the SOAP-era user_record.xsd it descends from.
 *
 * Because there is no XSD:
 * - every content model is 'all' (any order): the sources disagree on order and none shows one enforced;
 * - strings are limited to 255 characters, the v2 default, since no v1 source states a limit;
 * - a child is required only where both neighbours of v1 require it, rest_user.xsd (its successor,
 *   same loader) and user_record.xsd (its ancestor), or where the UConn mapping quotes v1.0
 *   minOccurs="1" (userDetails/status). user_record.xsd alone is not enough: real v1 files break
 *   its other occurrences (Otago's addresses lack `note`, its lists are empty).
 */
import {
  type ElementOptions,
  INTERNAL_USERS_ONLY,
  ROLES_NOT_LOADED,
  SET_BY_PROFILE,
  code,
  group,
  list,
  preferenceFlag,
  text,
  typed,
} from './elementBuilders';
import type { ElementDef, SchemaModel } from './types';

export const V1_NAMESPACE = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';

/** v1 writes words where v2 writes codes (Active vs ACTIVE). */
export const V1_STATUS_CODES: readonly string[] = ['Active', 'Inactive'];
export const V1_RECORD_TYPES: readonly string[] = ['Public', 'Staff', 'Contact'];
/** v2's account_type. */
export const V1_USER_TYPES: readonly string[] = ['Internal', 'External'];

const V1_MAX = 255;

function v1Text(name: string, options: ElementOptions = {}): ElementDef {
  return text(name, V1_MAX, options);
}

function v1Date(name: string, options: ElementOptions = {}): ElementDef {
  return typed(name, 'compactDate', options);
}

/** The audit block Alma's export writes on the record and on each segment. */
const OWNERED_ENTITY = group('owneredEntity', 'all', [
  v1Date('creationDate'),
  v1Date('modificationDate'),
  v1Text('createdBy'),
  v1Text('modifiedBy'),
]);

/** Producer-only elements of unknown meaning (reference.md §3.2), accepted so they are not flagged. */
const MATCH_ID = v1Text('matchId');
const SEGMENT_ACTION = v1Text('segmentAction');

/** The `types` wrapper of a contact segment; required, as in user_record.xsd and as v2's *_types. */
function contactTypes(itemName: string, codeTable: string): ElementDef {
  return list('types', code(itemName, { codeTable }), { min: 1, role: 'typeList' });
}

const USER_DETAILS = group(
  'userDetails',
  'all',
  [
    code('recordType', { fixedCodes: V1_RECORD_TYPES, ...SET_BY_PROFILE }),
    v1Text('userName', { role: 'primaryId', label: 'primary ID' }),
    v1Text('firstName', { role: 'firstName' }),
    v1Text('middleName'),
    v1Text('lastName', { role: 'lastName' }),
    code('userGroup', { codeTable: 'userGroups', protectedField: true }),
    code('campusCode', { codeTable: 'campusCodes', protectedField: true }),
    v1Date('expiryDate', { role: 'expiryDate' }),
    v1Date('purgeDate', { role: 'purgeDate' }),
    v1Date('birthDate'),
    code('userType', { fixedCodes: V1_USER_TYPES, ...SET_BY_PROFILE }),
    code('userTitle', { codeTable: 'userTitles', protectedField: true }),
    code('defaultLanguage', { codeTable: 'preferredLanguages', protectedField: true }),
    code('status', { min: 1, fixedCodes: V1_STATUS_CODES }),
    code('gender', { codeTable: 'genders' }),
    // Free text in user_record.xsd; whether it maps to v2's coded job_category is not documented.
    v1Text('jobTitle'),
    v1Text('jobDescription'),
    v1Text('webSiteUrl'),
    v1Text('password', INTERNAL_USERS_ONLY),
    // yes|no in user_record.xsd.
    v1Text('forcePasswordChange', INTERNAL_USERS_ONLY),
    v1Text('pinNumber', { role: 'pin', protectedField: true }),
    v1Text('externalId', SET_BY_PROFILE),
    code('resourceSharingLibraryCode', { codeTable: 'rsLibraries', protectedField: true }),
  ],
  // Every source writes it (user_record.xsd: minOccurs="1"); a record without it holds no user.
  { min: 1 },
);

const USER_IDENTIFIERS = list(
  'userIdentifiers',
  group(
    'userIdentifier',
    'all',
    [
      // Optional in user_record.xsd, but an identifier without a type cannot be loaded: required, as v2's id_type.
      code('type', { min: 1, codeTable: 'identifierTypes', role: 'identifierType' }),
      v1Text('value', { min: 1, role: 'identifierValue' }),
      v1Text('note'),
      v1Text('status'),
      MATCH_ID,
      OWNERED_ENTITY,
    ],
    { role: 'identifier', label: 'identifier' },
  ),
);

/** One mixed list: addresses, phones and emails interleaved in any order. */
const USER_ADDRESS_LIST = group(
  'userAddressList',
  'all',
  [
    group(
      'userAddress',
      'all',
      [
        v1Text('line1'),
        v1Text('line2'),
        v1Text('line3'),
        v1Text('line4'),
        v1Text('line5'),
        v1Text('city'),
        v1Text('stateProvince'),
        v1Text('postalCode'),
        code('country', { codeTable: 'countries' }),
        // user_record.xsd and Condorcet write `note`; BU's converter reads `addressNote`.
        v1Text('note'),
        v1Text('addressNote'),
        v1Date('startDate'),
        v1Date('endDate'),
        contactTypes('userAddressTypes', 'addressTypes'),
        MATCH_ID,
        SEGMENT_ACTION,
        OWNERED_ENTITY,
      ],
      { max: 'unbounded', attributes: [preferenceFlag('preferred', 'preferred address')], label: 'address' },
    ),
    group(
      'userPhone',
      'all',
      [v1Text('phone', { min: 1 }), contactTypes('userPhoneTypes', 'phoneTypes'), MATCH_ID, SEGMENT_ACTION, OWNERED_ENTITY],
      {
        max: 'unbounded',
        attributes: [preferenceFlag('preferred', 'preferred phone'), preferenceFlag('preferredSMS', 'SMS phone')],
        label: 'phone',
      },
    ),
    group(
      'userEmail',
      'all',
      [
        v1Text('email', { min: 1 }),
        v1Text('description'),
        contactTypes('userEmailTypes', 'emailTypes'),
        MATCH_ID,
        SEGMENT_ACTION,
        OWNERED_ENTITY,
      ],
      { max: 'unbounded', attributes: [preferenceFlag('preferred', 'preferred email')], label: 'email' },
    ),
  ],
);

const USER_NOTE_LIST = list(
  'userNoteList',
  group(
    'userNote',
    'all',
    [
      code('type', { min: 1, codeTable: 'noteTypes' }),
      v1Text('note', { documentedMandatory: true }),
      typed('userViewable', 'boolean'),
      OWNERED_ENTITY,
    ],
    { label: 'note' },
  ),
);

const USER_BLOCK_LIST = list(
  'userBlockList',
  group(
    'userBlock',
    'all',
    [
      code('type', { codeTable: 'blockTypes' }),
      v1Text('status'),
      v1Text('note'),
      // The block definition plays the part of v2's required block_description.
      code('blockDefinitionId', { min: 1, codeTable: 'blockDescriptions' }),
      OWNERED_ENTITY,
    ],
    { label: 'block' },
  ),
);

const USER_STATISTICS_LIST = list(
  'userStatisticalCategoriesList',
  group(
    'userCategory',
    'all',
    [code('statisticalCategory', { min: 1, codeTable: 'statisticCategories' }), v1Text('note'), OWNERED_ENTITY],
    { label: 'statistic' },
  ),
);

/** Known only from user_record.xsd; roles were never part of the SIS load. */
const USER_ROLE_LIST = list(
  'userRoleList',
  group('userRole', 'all', [
    v1Text('status'),
    v1Date('expiryDate'),
    v1Text('scope'),
    v1Text('roleType'),
    v1Text('details'),
    v1Text('note'),
    OWNERED_ENTITY,
  ]),
  ROLES_NOT_LOADED,
);

const USER_RECORD = group(
  'userRecord',
  'all',
  [
    USER_DETAILS,
    OWNERED_ENTITY,
    USER_IDENTIFIERS,
    USER_ADDRESS_LIST,
    USER_NOTE_LIST,
    USER_BLOCK_LIST,
    USER_STATISTICS_LIST,
    USER_ROLE_LIST,
    MATCH_ID,
  ],
  { role: 'user', label: 'user' },
);

export const V1_MODEL: SchemaModel = {
  version: 1,
  root: list('userRecords', USER_RECORD),
  namespace: V1_NAMESPACE,
};
