/**
 * Where each User XSD v1 element and attribute goes in v2, as data: the converter follows it, and
 * the dry-run can follow it to compare a v1 export with a v2 feed. Sources: reference.md §3.2 and
 * §3.3, BU's v1-to-v2 converter (Patrons_v1tov2.py) and the two models (schema/v1.ts, v2.ts).
 *
 * Paths are full, from the root (`userRecords/userRecord/userDetails/userName`), an attribute
 * as `.../@preferredSMS`. Every element and attribute of V1_MODEL has exactly one entry (a test
 * walks the model): either a v2 path or `v2: null` with the reason it has no v2 home. Each v2
 * path lies under the v2 path of its v1 parent, so the converter can build v2 elements while
 * reading v1 ones in one pass.
 */

/** How a value changes on the way: v1 writes words and compact dates where v2 writes codes and xs:date. */
export type ValueTransform = 'same' | 'compactDate' | 'statusWord' | 'recordTypeWord' | 'userTypeWord' | 'genderWord' | 'yesNo';

export interface V1ToV2Field {
  v1: string;
  /** The v2 path; null: v2 has no place for it. */
  v2: string | null;
  transform?: ValueTransform;
  /** Why a field has no v2 home (v2 null). */
  noHome?: string;
}

const R = 'userRecords/userRecord';
const U = 'users/user';

const AUDIT = 'an audit stamp Alma writes and sets itself; v2 input has no place for it';
const MATCH_ID = 'a producer-only element of undocumented meaning (reference.md §3.2); v2 has none';
const SEGMENT_ACTION = 'a producer-only element of undocumented meaning (reference.md §3.2); v2 has none';

/** The owneredEntity block under `parent`: no v2 home, each of its fields listed. */
function ownered(parent: string): V1ToV2Field[] {
  return ['', '/creationDate', '/modificationDate', '/createdBy', '/modifiedBy'].map((tail) => ({
    v1: `${parent}/owneredEntity${tail}`,
    v2: null,
    noHome: AUDIT,
  }));
}

/** A contact segment's `types` wrapper and its repeated type. */
function contactTypes(v1Segment: string, v1Item: string, v2Segment: string, v2Wrapper: string, v2Item: string): V1ToV2Field[] {
  return [
    { v1: `${v1Segment}/types`, v2: `${v2Segment}/${v2Wrapper}` },
    { v1: `${v1Segment}/types/${v1Item}`, v2: `${v2Segment}/${v2Wrapper}/${v2Item}` },
  ];
}

const D = `${R}/userDetails`;
const ADDRESS_LIST = `${R}/userAddressList`;
const ADDRESS = `${ADDRESS_LIST}/userAddress`;
const PHONE = `${ADDRESS_LIST}/userPhone`;
const EMAIL = `${ADDRESS_LIST}/userEmail`;
const V2_ADDRESS = `${U}/contact_info/addresses/address`;
const V2_PHONE = `${U}/contact_info/phones/phone`;
const V2_EMAIL = `${U}/contact_info/emails/email`;
const IDENTIFIER = `${R}/userIdentifiers/userIdentifier`;
const V2_IDENTIFIER = `${U}/user_identifiers/user_identifier`;
const NOTE = `${R}/userNoteList/userNote`;
const V2_NOTE = `${U}/user_notes/user_note`;
const BLOCK = `${R}/userBlockList/userBlock`;
const V2_BLOCK = `${U}/user_blocks/user_block`;
const CATEGORY = `${R}/userStatisticalCategoriesList/userCategory`;
const V2_STATISTIC = `${U}/user_statistics/user_statistic`;
const ROLE = `${R}/userRoleList/userRole`;
const V2_ROLE = `${U}/user_roles/user_role`;

export const V1_TO_V2: readonly V1ToV2Field[] = [
  { v1: 'userRecords', v2: 'users' },
  { v1: R, v2: U },
  { v1: `${R}/matchId`, v2: null, noHome: MATCH_ID },
  ...ownered(R),

  // userDetails is flattened: its children are the v2 user's own.
  { v1: D, v2: U },
  { v1: `${D}/recordType`, v2: `${U}/record_type`, transform: 'recordTypeWord' },
  { v1: `${D}/userName`, v2: `${U}/primary_id` },
  { v1: `${D}/firstName`, v2: `${U}/first_name` },
  { v1: `${D}/middleName`, v2: `${U}/middle_name` },
  { v1: `${D}/lastName`, v2: `${U}/last_name` },
  { v1: `${D}/userGroup`, v2: `${U}/user_group` },
  { v1: `${D}/campusCode`, v2: `${U}/campus_code` },
  { v1: `${D}/expiryDate`, v2: `${U}/expiry_date`, transform: 'compactDate' },
  { v1: `${D}/purgeDate`, v2: `${U}/purge_date`, transform: 'compactDate' },
  { v1: `${D}/birthDate`, v2: `${U}/birth_date`, transform: 'compactDate' },
  { v1: `${D}/userType`, v2: `${U}/account_type`, transform: 'userTypeWord' },
  { v1: `${D}/userTitle`, v2: `${U}/user_title` },
  { v1: `${D}/defaultLanguage`, v2: `${U}/preferred_language` },
  { v1: `${D}/status`, v2: `${U}/status`, transform: 'statusWord' },
  { v1: `${D}/gender`, v2: `${U}/gender`, transform: 'genderWord' },
  // BU's converter writes jobTitle as job_category; v2's job category is the coded successor of the job title.
  { v1: `${D}/jobTitle`, v2: `${U}/job_category` },
  { v1: `${D}/jobDescription`, v2: `${U}/job_description` },
  { v1: `${D}/webSiteUrl`, v2: `${U}/web_site_url` },
  { v1: `${D}/password`, v2: `${U}/password` },
  // user_record.xsd writes yes|no; v2's force_password_change documents TRUE.
  { v1: `${D}/forcePasswordChange`, v2: `${U}/force_password_change`, transform: 'yesNo' },
  { v1: `${D}/pinNumber`, v2: `${U}/pin_number` },
  { v1: `${D}/externalId`, v2: `${U}/external_id` },
  { v1: `${D}/resourceSharingLibraryCode`, v2: `${U}/rs_libraries/rs_library/code` },

  { v1: `${R}/userIdentifiers`, v2: `${U}/user_identifiers` },
  { v1: IDENTIFIER, v2: V2_IDENTIFIER },
  { v1: `${IDENTIFIER}/type`, v2: `${V2_IDENTIFIER}/id_type` },
  { v1: `${IDENTIFIER}/value`, v2: `${V2_IDENTIFIER}/value` },
  { v1: `${IDENTIFIER}/note`, v2: `${V2_IDENTIFIER}/note` },
  { v1: `${IDENTIFIER}/status`, v2: `${V2_IDENTIFIER}/status` },
  { v1: `${IDENTIFIER}/matchId`, v2: null, noHome: MATCH_ID },
  ...ownered(IDENTIFIER),

  // One mixed v1 list becomes v2's three lists, written addresses, emails, phones (xs:sequence).
  { v1: ADDRESS_LIST, v2: `${U}/contact_info` },
  { v1: ADDRESS, v2: V2_ADDRESS },
  { v1: `${ADDRESS}/@preferred`, v2: `${V2_ADDRESS}/@preferred` },
  { v1: `${ADDRESS}/line1`, v2: `${V2_ADDRESS}/line1` },
  { v1: `${ADDRESS}/line2`, v2: `${V2_ADDRESS}/line2` },
  { v1: `${ADDRESS}/line3`, v2: `${V2_ADDRESS}/line3` },
  { v1: `${ADDRESS}/line4`, v2: `${V2_ADDRESS}/line4` },
  { v1: `${ADDRESS}/line5`, v2: `${V2_ADDRESS}/line5` },
  { v1: `${ADDRESS}/city`, v2: `${V2_ADDRESS}/city` },
  { v1: `${ADDRESS}/stateProvince`, v2: `${V2_ADDRESS}/state_province` },
  { v1: `${ADDRESS}/postalCode`, v2: `${V2_ADDRESS}/postal_code` },
  { v1: `${ADDRESS}/country`, v2: `${V2_ADDRESS}/country` },
  { v1: `${ADDRESS}/note`, v2: `${V2_ADDRESS}/address_note` },
  { v1: `${ADDRESS}/addressNote`, v2: `${V2_ADDRESS}/address_note` },
  { v1: `${ADDRESS}/startDate`, v2: `${V2_ADDRESS}/start_date`, transform: 'compactDate' },
  { v1: `${ADDRESS}/endDate`, v2: `${V2_ADDRESS}/end_date`, transform: 'compactDate' },
  ...contactTypes(ADDRESS, 'userAddressTypes', V2_ADDRESS, 'address_types', 'address_type'),
  { v1: `${ADDRESS}/matchId`, v2: null, noHome: MATCH_ID },
  { v1: `${ADDRESS}/segmentAction`, v2: null, noHome: SEGMENT_ACTION },
  ...ownered(ADDRESS),

  { v1: PHONE, v2: V2_PHONE },
  { v1: `${PHONE}/@preferred`, v2: `${V2_PHONE}/@preferred` },
  { v1: `${PHONE}/@preferredSMS`, v2: `${V2_PHONE}/@preferred_sms` },
  { v1: `${PHONE}/phone`, v2: `${V2_PHONE}/phone_number` },
  ...contactTypes(PHONE, 'userPhoneTypes', V2_PHONE, 'phone_types', 'phone_type'),
  { v1: `${PHONE}/matchId`, v2: null, noHome: MATCH_ID },
  { v1: `${PHONE}/segmentAction`, v2: null, noHome: SEGMENT_ACTION },
  ...ownered(PHONE),

  { v1: EMAIL, v2: V2_EMAIL },
  { v1: `${EMAIL}/@preferred`, v2: `${V2_EMAIL}/@preferred` },
  { v1: `${EMAIL}/email`, v2: `${V2_EMAIL}/email_address` },
  { v1: `${EMAIL}/description`, v2: `${V2_EMAIL}/description` },
  ...contactTypes(EMAIL, 'userEmailTypes', V2_EMAIL, 'email_types', 'email_type'),
  { v1: `${EMAIL}/matchId`, v2: null, noHome: MATCH_ID },
  { v1: `${EMAIL}/segmentAction`, v2: null, noHome: SEGMENT_ACTION },
  ...ownered(EMAIL),

  { v1: `${R}/userNoteList`, v2: `${U}/user_notes` },
  { v1: NOTE, v2: V2_NOTE },
  { v1: `${NOTE}/type`, v2: `${V2_NOTE}/note_type` },
  { v1: `${NOTE}/note`, v2: `${V2_NOTE}/note_text` },
  { v1: `${NOTE}/userViewable`, v2: `${V2_NOTE}/user_viewable` },
  ...ownered(NOTE),

  { v1: `${R}/userBlockList`, v2: `${U}/user_blocks` },
  { v1: BLOCK, v2: V2_BLOCK },
  { v1: `${BLOCK}/type`, v2: `${V2_BLOCK}/block_type` },
  { v1: `${BLOCK}/status`, v2: `${V2_BLOCK}/block_status` },
  { v1: `${BLOCK}/note`, v2: `${V2_BLOCK}/block_note` },
  // The block definition plays the part of v2's required block_description (schema/v1.ts).
  { v1: `${BLOCK}/blockDefinitionId`, v2: `${V2_BLOCK}/block_description` },
  ...ownered(BLOCK),

  { v1: `${R}/userStatisticalCategoriesList`, v2: `${U}/user_statistics` },
  { v1: CATEGORY, v2: V2_STATISTIC },
  { v1: `${CATEGORY}/statisticalCategory`, v2: `${V2_STATISTIC}/statistic_category` },
  { v1: `${CATEGORY}/note`, v2: `${V2_STATISTIC}/statistic_note` },
  ...ownered(CATEGORY),

  { v1: `${R}/userRoleList`, v2: `${U}/user_roles` },
  { v1: ROLE, v2: V2_ROLE },
  { v1: `${ROLE}/status`, v2: `${V2_ROLE}/status` },
  { v1: `${ROLE}/expiryDate`, v2: `${V2_ROLE}/expiry_date`, transform: 'compactDate' },
  { v1: `${ROLE}/scope`, v2: `${V2_ROLE}/scope` },
  { v1: `${ROLE}/roleType`, v2: `${V2_ROLE}/role_type` },
  { v1: `${ROLE}/details`, v2: null, noHome: "v2's user_role has typed parameters, not free details" },
  { v1: `${ROLE}/note`, v2: null, noHome: "v2's user_role has no note" },
  ...ownered(ROLE),
];

/**
 * Values v2 requires that v1 does not have: added with their documented default so that the
 * converted file validates. Each addition is reported as a changed value.
 */
export const V2_REQUIRED_DEFAULTS: readonly { v2: string; value: string }[] = [
  // rest_user.xsd: user_viewable and popup_note are minOccurs 1, "Default is false".
  { v2: `${V2_NOTE}/user_viewable`, value: 'false' },
  { v2: `${V2_NOTE}/popup_note`, value: 'false' },
];

export const V1_TO_V2_BY_PATH: ReadonlyMap<string, V1ToV2Field> = new Map(V1_TO_V2.map((field) => [field.v1, field]));

const STATUS_WORDS: Record<string, string> = { active: 'ACTIVE', inactive: 'INACTIVE' };
const RECORD_TYPE_WORDS: Record<string, string> = { public: 'PUBLIC', staff: 'STAFF', contact: 'CONTACT' };
const USER_TYPE_WORDS: Record<string, string> = { internal: 'INTERNAL', external: 'EXTERNAL' };
// user_record.xsd's enumeration; v2's Genders code table writes the codes in capitals.
const GENDER_WORDS: Record<string, string> = { male: 'MALE', female: 'FEMALE', other: 'OTHER', none: 'NONE' };
const YES_NO: Record<string, string> = { yes: 'TRUE', no: 'FALSE', true: 'TRUE', false: 'FALSE' };

const WORDS: Record<Exclude<ValueTransform, 'same' | 'compactDate'>, Record<string, string>> = {
  statusWord: STATUS_WORDS,
  recordTypeWord: RECORD_TYPE_WORDS,
  userTypeWord: USER_TYPE_WORDS,
  genderWord: GENDER_WORDS,
  yesNo: YES_NO,
};

/**
 * The v2 form of a v1 value. A value the transform does not recognise is kept as it is: the v2
 * validator then reports it where it stands, rather than the converter guessing.
 */
export function transformValue(transform: ValueTransform, value: string): string {
  if (transform === 'same') return value;
  if (transform === 'compactDate') {
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    return compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : value;
  }
  return WORDS[transform][value.toLowerCase()] ?? value;
}
