/**
 * What each field means to the people who produce SIS files, as data for hover and completion.
 * The facts come from ../shared/alma/reference.md (the XSD's documentation, Ex Libris's pages and
 * real producers), written here in our own words. Types, lengths, occurrences and SIS treatment
 * are NOT repeated: hover joins these notes with the record model (v2.ts, v1.ts) at request time.
 *
 * Keys are element names; a `parent/name` key wins over a plain name where one name means
 * different things in different places (status, value, note, expiry_date...).
 */

/** What a synchronize (swap-all update of an external user) does to a field. */
export type SyncEffect =
  | 'replaced' // the file's value replaces Alma's; left out, Alma's value is deleted
  | 'protected' // as replaced, unless staff changed it in Alma (then kept)
  | 'segments' // a list: the file's entries replace the user's external ones, internal ones stay
  | 'segment-part' // part of one segment: replaced with its segment
  | 'untouched' // SIS does not read it
  | 'profile'; // the profile decides it on every load

export interface FieldDoc {
  /** One or two sentences: what the field holds. */
  about: string;
  /** Overrides the effect derived from the model (see syncEffectOf in the language service). */
  sync?: SyncEffect;
  /** A remark worth knowing (defaults, conventions, surprises). */
  note?: string;
}

/** Fields that a synchronize does not overwrite once staff edited them in Alma. */
export const PROTECTED_FIELDS: ReadonlySet<string> = new Set([
  'user_group', 'job_category', 'pin_number', 'preferred_language', 'campus_code', 'rs_libraries', 'user_title', 'library_notices',
]);

const SEGMENT = 'segment_type is ignored by SIS: every segment in the file becomes External.';

export const FIELD_DOCS: Readonly<Record<string, FieldDoc>> = {
  // Roots and the record
  users: { about: 'The root of a version 2 file: one <user> per person. The schema itself declares no root; <users> is what Ex Libris\'s converters and producers write.' },
  user: { about: 'One person. Its children may come in any order, each at most once.' },
  userRecords: { about: 'The root of a version 1 file (deprecated by Ex Libris: new profiles must use version 2).' },
  userRecord: { about: 'One person in a version 1 file; the personal data sits in <userDetails>.' },
  userDetails: { about: 'The personal data of a version 1 record: names, group, dates, status and codes.' },

  // User-level fields (v2)
  record_type: { about: 'The kind of user record: PUBLIC, STAFF or CONTACT.', note: 'The integration profile loads one record type; whatever the file says is ignored.' },
  primary_id: {
    about: 'The user\'s primary identifier, unique in the institution. Alma compares it without regard to case.',
    note: 'Left out on a new user, Alma builds one from the first and last name (adding a counter when taken).',
  },
  first_name: { about: 'Given name.' },
  middle_name: { about: 'Middle name.' },
  last_name: { about: 'Family name.' },
  full_name: { about: 'The name as Alma displays it, built by Alma from the name parts.' },
  pin_number: { about: 'The PIN a patron types at a self-check machine (the SIP2 password): four digits.' },
  user_title: { about: 'Form of address (Dr, Mr, Ms...), a code from the UserTitles table.' },
  job_category: { about: 'Job category, a code from the JobTitles table.' },
  job_description: { about: 'Free text describing the job.' },
  gender: { about: 'A code from the Genders table (MALE, FEMALE and others).' },
  user_group: { about: 'The patron group that drives loan rules and fines, a code from the UserGroups table.' },
  campus_code: { about: 'The user\'s campus, a code from the institution\'s campus list.' },
  web_site_url: { about: 'A web page of the user.' },
  cataloger_level: { about: 'The cataloguer permission level, a code.' },
  preferred_language: { about: 'The language of letters and the interface, a code such as en.', note: 'Alma uses en when none is given.' },
  birth_date: { about: 'Date of birth.' },
  expiry_date: { about: 'When the user is expected to leave; loan due dates are cut to it.', note: 'Ex Libris\'s own examples write dates as YYYY-MM-DDZ.' },
  purge_date: {
    about: 'From this date the Purge Users job (run by staff) may delete the user, whether or not it has expired.',
    note: 'Keep it on or after expiry_date.',
  },
  account_type: { about: 'INTERNAL or EXTERNAL.', note: 'SIS always creates External users, and an External user cannot become Internal this way.' },
  external_id: { about: 'The system the user comes from.', note: 'SIS fills it with the integration profile\'s code.' },
  password: { about: 'The login password of an internal user.' },
  force_password_change: { about: 'TRUE to make an internal user change its password at the next login. A string of at most 4 characters, not a boolean.' },
  status: { about: 'ACTIVE or INACTIVE.', note: 'Alma uses ACTIVE when none is given.' },
  status_date: { about: 'When the status last changed; Alma keeps it.' },
  last_patron_activity_date: { about: 'When the patron last did something in Alma; Alma keeps it.' },
  requests: { about: 'How many requests the user has; Alma counts them.' },
  loans: { about: 'How many loans the user has; Alma counts them.' },
  fees: { about: 'The user\'s fines and fees balance; Alma computes it.' },
  source_link_id: { about: 'Link to the user\'s record in another institution of a network; Alma keeps it.' },
  source_institution_code: { about: 'The institution a linked user comes from; Alma keeps it.' },
  linking_id: { about: 'Alma\'s link between copies of a user in a network.' },
  pref_first_name: { about: 'The given name the person prefers to be called by.' },
  pref_middle_name: { about: 'Preferred middle name.' },
  pref_last_name: { about: 'Preferred family name.' },
  pref_name_suffix: { about: 'Preferred name suffix (Esploro).' },
  is_researcher: { about: 'Marks the user as a researcher (Esploro only); false by default.' },
  researcher: { about: 'Researcher profile data for Esploro: names, positions, affiliations, keywords and more.' },
  'researcher/position': { about: 'The researcher\'s position, a code (OrganizationPositions).' },
  'researcher/display_title': { about: 'The title shown on the researcher\'s portal profile.' },
  profile_image_url: { about: 'Address of the researcher\'s profile picture.' },
  photo_url: { about: 'Address of the researcher\'s photo.' },
  portal_profile: { about: 'Whether and how the researcher appears in the Esploro portal, a code.' },
  auto_capture: { about: 'Esploro\'s automatic capture of the researcher\'s publications.' },
  research_center: { about: 'Marks a research centre rather than a person.' },
  previous_affiliated: { about: 'true when the researcher is no longer affiliated with the institution.' },
  default_publication_language: { about: 'The language of the researcher\'s publications by default, a language code.' },

  // Contact information
  contact_info: {
    about: 'Addresses, emails and phones, in that order (the schema fixes it).',
    sync: 'segments',
    note: 'A new SIS user\'s contacts are marked External; a synchronize replaces the External ones and keeps those staff added.',
  },
  addresses: { about: 'The user\'s postal addresses.' },
  address: { about: 'One postal address. At most one may be preferred.', note: SEGMENT },
  line1: { about: 'First address line; documented as mandatory although the schema lets it out.' },
  line2: { about: 'Address line 2.' },
  line3: { about: 'Address line 3.' },
  line4: { about: 'Address line 4.' },
  line5: { about: 'Address line 5.' },
  city: { about: 'City; documented as mandatory although the schema lets it out.' },
  state_province: { about: 'State or province.' },
  postal_code: { about: 'Postal code.' },
  country: { about: 'Country, a code from the CountryCodes table (e.g. USA).' },
  address_note: { about: 'A note on the address.' },
  'address/start_date': { about: 'From when the address is valid.' },
  'address/end_date': { about: 'Until when the address is valid.' },
  address_types: { about: 'What the address is for; at least one type is expected.' },
  address_type: { about: 'An address type code (home, work, school, alternative...) from UserAddressTypes, limited by record type.' },
  emails: { about: 'The user\'s email addresses.' },
  email: { about: 'One email address. At most one may be preferred: Alma sends letters there.', note: SEGMENT },
  email_address: { about: 'The address itself.', note: 'Write & as &amp; : a bare & makes Alma reject the whole file.' },
  'email/description': { about: 'A note on the email address.' },
  email_types: { about: 'What the email is for; at least one type is expected.' },
  email_type: { about: 'An email type code (personal, work, school...) from UserEmailTypes, limited by record type.' },
  phones: { about: 'The user\'s phone numbers.' },
  phone: { about: 'One phone number. At most one may be preferred, and at most one the SMS number.', note: SEGMENT },
  phone_number: { about: 'The number itself.' },
  phone_types: { about: 'What the phone is for; at least one type is expected.' },
  phone_type: { about: 'A phone type code (home, mobile, office...) from UserPhoneTypes, limited by record type.' },

  // Identifiers
  user_identifiers: {
    about: 'Further identifiers (barcode, university ID...). Every value must be unique across all users and within the user, primary_id included.',
    note: 'In one feed the first user that uses a value wins; every later one is rejected.',
  },
  user_identifier: { about: 'One identifier: a type and a value.', note: SEGMENT },
  id_type: { about: 'The identifier type, a code from UserIdentifierTypes (BARCODE, UNIV_ID, or the institution\'s own codes).' },
  'user_identifier/value': {
    about: 'The identifier\'s value, unique across all users.',
    note: 'Compared without regard to case for institutions that started loading after June 2018.',
  },
  'user_identifier/note': { about: 'A note on the identifier.' },
  'user_identifier/status': { about: 'Free text; producers write ACTIVE.' },

  // Roles and proxies (API only)
  user_roles: { about: 'The user\'s roles and permissions. Roles come from Alma\'s role assignment rules, not from SIS.' },
  user_role: { about: 'One role.' },
  proxy_for_users: { about: 'Users this user may act for. API only.' },
  proxy_for_user: { about: 'One user this user acts for.' },

  // Blocks, notes, statistics
  user_blocks: { about: 'Blocks on the user\'s account (no loans, no requests...).' },
  user_block: { about: 'One block.', note: SEGMENT },
  block_type: { about: 'The block type, a code from UserBlockTypes.', note: 'GENERAL when none is given.' },
  block_description: { about: 'What the block is, a code from UserBlockDescription.' },
  block_status: { about: 'Active or Inactive (free text).', note: 'Active when none is given.' },
  block_note: { about: 'A note on the block.' },
  'user_block/created_date': { about: 'When the block was created, a date and time (2019-12-18T14:36:48.659Z).' },
  'user_block/expiry_date': { about: 'When the block ends, a date and time (2019-12-18T14:36:48.659Z).' },
  created_by: { about: 'Who created it.' },
  item_loan_id: { about: 'The loan the block comes from.' },
  block_owner: { about: 'The library that owns the block, a library code.' },
  user_notes: { about: 'Notes on the user.' },
  user_note: { about: 'One note.', note: SEGMENT },
  note_type: { about: 'The note type, a code from NoteTypes.' },
  note_text: { about: 'The note itself; documented as mandatory although the schema lets it out.' },
  user_viewable: { about: 'true when the patron may see the note.', note: 'false by default.' },
  popup_note: { about: 'true when the note pops up for staff at circulation.', note: 'false by default.' },
  'user_note/created_date': { about: 'When the note was written, a date and time.' },
  note_owner: { about: 'The library that owns the note, a library code.' },
  user_statistics: { about: 'Statistical categories for reports (department, level of study...).' },
  user_statistic: { about: 'One statistical category.', note: SEGMENT },
  statistic_category: { about: 'The category, a code from UserStatCategories.' },
  category_type: { about: 'The category\'s type, a code from UserStatisticalTypes.', note: 'The schema calls it output only, yet producers send it.' },
  statistic_note: { about: 'A note on the category.' },

  // Resource sharing and notices
  rs_libraries: { about: 'The resource-sharing libraries the user belongs to.' },
  rs_library: { about: 'One resource-sharing library.' },
  'rs_library/code': { about: 'A library code defined as a resource-sharing library.' },
  library_notices: { about: 'Which optional letters the user has opted in to.' },
  library_notice: { about: 'One letter opt-in.' },
  'library_notice/code': { about: 'The letter, a code from LibraryNoticesOptInDisplay (e.g. FulUserBorrowingActivityLetter).' },
  'library_notice/value': { about: 'true to receive the letter.' },

  // Attributes (keyed @name)
  '@desc': { about: 'A display label for the code (FACULTY → "Faculty"). Optional; Alma reads the code.' },
  '@segment_type': {
    about: 'Internal or External, for the User API.',
    note: 'SIS ignores it: every incoming segment becomes External. Case matters: "external" is not a value.',
  },
  '@preferred': { about: 'Marks the one preferred address, email or phone: true, false, 1 or 0 (lowercase).', note: 'false by default.' },
  '@preferred_sms': { about: 'Marks the one phone that receives SMS: true, false, 1 or 0.', note: 'false by default.' },
  '@preferredSMS': { about: 'Marks the one phone that receives SMS (version 1).' },
  '@link': { about: 'A link Alma writes on output; ignored on load.' },
};

/** Version 1 names documented by their version 2 counterparts. */
export const V1_EQUIVALENTS: Readonly<Record<string, string>> = {
  recordType: 'record_type',
  userName: 'primary_id',
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  userGroup: 'user_group',
  campusCode: 'campus_code',
  expiryDate: 'expiry_date',
  purgeDate: 'purge_date',
  birthDate: 'birth_date',
  userType: 'account_type',
  userTitle: 'user_title',
  defaultLanguage: 'preferred_language',
  jobDescription: 'job_description',
  webSiteUrl: 'web_site_url',
  pinNumber: 'pin_number',
  externalId: 'external_id',
  forcePasswordChange: 'force_password_change',
  userIdentifiers: 'user_identifiers',
  userIdentifier: 'user_identifier',
  'userIdentifier/type': 'id_type',
  'userIdentifier/value': 'user_identifier/value',
  userAddress: 'address',
  userPhone: 'phone',
  userEmail: 'email',
  'userPhone/phone': 'phone_number',
  'userEmail/email': 'email_address',
  stateProvince: 'state_province',
  postalCode: 'postal_code',
  addressNote: 'address_note',
  userAddressTypes: 'address_type',
  userPhoneTypes: 'phone_type',
  userEmailTypes: 'email_type',
  userNoteList: 'user_notes',
  userNote: 'user_note',
  userViewable: 'user_viewable',
  userBlockList: 'user_blocks',
  userBlock: 'user_block',
  blockDefinitionId: 'block_description',
  userStatisticalCategoriesList: 'user_statistics',
  userCategory: 'user_statistic',
  statisticalCategory: 'statistic_category',
  userRoleList: 'user_roles',
  userRole: 'user_role',
  'userIdentifier/note': 'user_identifier/note',
  'userIdentifier/status': 'user_identifier/status',
  'userAddress/note': 'address_note',
  'userAddress/startDate': 'address/start_date',
  'userAddress/endDate': 'address/end_date',
  'userEmail/description': 'email/description',
  'userNote/type': 'note_type',
  'userNote/note': 'note_text',
  'userBlock/type': 'block_type',
  'userBlock/status': 'block_status',
  'userBlock/note': 'block_note',
  'userCategory/note': 'statistic_note',
};

/** Version 1 elements without a version 2 counterpart. */
const V1_ONLY: Readonly<Record<string, FieldDoc>> = {
  userAddressList: { about: 'All contacts of a version 1 record in one list: <userAddress>, <userPhone> and <userEmail> in any order.', sync: 'segments' },
  types: { about: 'The types of the contact (at least one expected).' },
  owneredEntity: { about: 'Audit data Alma writes on export (created and modified dates and by whom).' },
  creationDate: { about: 'When the record or segment was created (audit data from an export).' },
  modificationDate: { about: 'When the record or segment was last changed (audit data from an export).' },
  createdBy: { about: 'Who created the record or segment (audit data from an export).' },
  modifiedBy: { about: 'Who last changed the record or segment (audit data from an export).' },
  matchId: { about: 'Written by some producers; its meaning is not documented by Ex Libris.' },
  segmentAction: { about: 'Written by some producers; its meaning is not documented by Ex Libris.' },
  jobTitle: { about: 'Job title, free text.' },
  resourceSharingLibraryCode: { about: 'The user\'s resource-sharing library, a code.' },
};

/** The notes on an element (`@name` for an attribute), most specific key first. */
export function fieldDoc(name: string, parentName: string | undefined, version: 1 | 2): FieldDoc | undefined {
  const scoped = parentName ? `${parentName}/${name}` : undefined;
  if (version === 1) {
    const v1 = (scoped && V1_ONLY[scoped]) ?? V1_ONLY[name];
    if (v1) return v1;
    const v2Name = (scoped && V1_EQUIVALENTS[scoped]) ?? V1_EQUIVALENTS[name];
    if (v2Name) return FIELD_DOCS[v2Name];
  }
  return (scoped && FIELD_DOCS[scoped]) || FIELD_DOCS[name];
}
