import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { CodeEntry, CodeTables } from '../config/types';
import {
  DEFAULT_CODES,
  FIRST_NAMES,
  LAST_NAMES,
  MIDDLE_NAMES,
  NOTE_TEXTS,
  PLACES,
  RESEARCH_TOPICS,
  type Name,
  type Place,
} from './sampleData';

/*
 * Sample user files: N users with every field the SIS load reads, realistic values, unique
 * identifiers, and the same bytes for the same seed (a small PRNG of our own, and dates counted
 * from a fixed reference day rather than from today). Identifiers carry the seed, so files made
 * with different seeds load (and validate) together without a clash. The output is produced one
 * user at a time, so 100k users never make one giant string.
 */

export interface SampleOptions {
  /** 2 (default) or 1 (deprecated v1). */
  schema?: 1 | 2;
  users?: number;
  /** Any number or text; the same seed gives the same bytes. */
  seed?: number | string;
  /** Every user a researcher (Esploro), v2 only. */
  researchers?: boolean;
  /** The institution's code tables: codes are taken from them where they have the table. */
  codeTables?: CodeTables;
  /** The profile's match identifier: an identifier type code every user must carry. */
  matchIdType?: string;
  /** The day dates are counted from (`YYYY-MM-DD`); fixed by default, so output never depends on the clock. */
  referenceDate?: string;
}

export const DEFAULT_SAMPLE_USERS = 10;
const DEFAULT_REFERENCE_DATE = '2026-09-01';
const V1_NAMESPACE = 'http://com/exlibris/digitool/repository/extsystem/xmlbeans';

/** The file, in pieces: the declaration and root, one piece per user, the closing tag. */
export function* sampleChunks(options: SampleOptions = {}): Generator<string> {
  const plan = planSample(options);
  const v1 = plan.schema === 1;
  yield v1 ? `<?xml version="1.0" encoding="UTF-8"?>\n<userRecords xmlns="${V1_NAMESPACE}">\n` : '<?xml version="1.0" encoding="UTF-8"?>\n<users>\n';
  const random = mulberry32(plan.seed);
  for (let index = 0; index < plan.users; index++) {
    const person = makePerson(index, random, plan);
    yield v1 ? v1User(person, plan) : v2User(person, plan);
  }
  yield v1 ? '</userRecords>\n' : '</users>\n';
}

/** The whole file as one string: for a few users (the editor), not for 100k. */
export function sampleText(options: SampleOptions = {}): string {
  return [...sampleChunks(options)].join('');
}

/** Writes the file to a stream in pieces of about 64 KB, waiting whenever the stream is full. */
export async function writeSample(options: SampleOptions, sink: Writable, signal?: AbortSignal): Promise<void> {
  let batch = '';
  for (const chunk of sampleChunks(options)) {
    batch += chunk;
    if (batch.length < 65536) continue;
    signal?.throwIfAborted();
    if (!sink.write(batch)) await once(sink, 'drain', { signal });
    batch = '';
  }
  if (batch !== '') sink.write(batch);
}

/** Writes the file beside its target and renames it when complete: an interrupted run leaves no half file. */
export async function writeSampleFile(path: string, options: SampleOptions, signal?: AbortSignal): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  const stream = createWriteStream(partial);
  try {
    await once(stream, 'open');
    await writeSample(options, stream, signal);
    stream.end();
    await once(stream, 'finish');
    await rename(partial, path);
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

interface Plan {
  schema: 1 | 2;
  users: number;
  researchers: boolean;
  codes: (table: string) => CodeEntry[];
  identifierTypes: string[];
  reference: number;
  /** The seed as a number: the PRNG's start, and the part of every identifier that tells seeds apart. */
  seed: number;
}

function planSample(options: SampleOptions): Plan {
  const schema = options.schema ?? 2;
  const users = options.users ?? DEFAULT_SAMPLE_USERS;
  if (!Number.isInteger(users) || users < 0) throw new RangeError(`the number of users must be a whole number, not ${users}`);
  if (schema === 1 && options.researchers) throw new RangeError('researchers exist in User XSD v2 only');
  const reference = Date.parse(`${options.referenceDate ?? DEFAULT_REFERENCE_DATE}T00:00:00Z`);
  if (Number.isNaN(reference)) throw new RangeError(`the reference date must be YYYY-MM-DD, not ${options.referenceDate}`);
  const codes = (table: string): CodeEntry[] => {
    const configured = options.codeTables?.[table];
    return configured && configured.length > 0 ? configured : DEFAULT_CODES[table];
  };
  return {
    schema,
    users,
    researchers: options.researchers ?? false,
    codes,
    identifierTypes: identifierTypes(codes('identifierTypes'), options),
    reference,
    seed: seedNumber(options.seed ?? 1),
  };
}

/** Up to two identifier types: the profile's match type first, then a barcode-like one and the next. */
function identifierTypes(table: CodeEntry[], options: SampleOptions): string[] {
  const codes = table.map((entry) => entry.code).filter((code) => !/orcid/i.test(code) || options.researchers);
  const chosen: string[] = [];
  const add = (code: string | undefined) => {
    if (code !== undefined && !chosen.includes(code) && chosen.length < 3) chosen.push(code);
  };
  if (options.matchIdType && options.matchIdType !== 'primary_id') add(options.matchIdType);
  add(codes.find((code) => /barcode/i.test(code)));
  for (const code of codes) if (chosen.length < 2) add(code);
  if (options.researchers) add(table.map((entry) => entry.code).find((code) => /orcid/i.test(code)));
  return chosen;
}

/** The bare facts of one sample user; the writers turn them into v2 or v1 XML. */
interface Person {
  /** The first user carries every optional field, so even a one-user sample shows them all. */
  full: boolean;
  first: Name;
  middle?: Name;
  last: Name;
  preferredFirst?: string;
  primaryId: string;
  pin: string;
  title: CodeEntry;
  group: CodeEntry;
  job?: { category: CodeEntry; description: string };
  gender: CodeEntry;
  campus: CodeEntry;
  language: CodeEntry;
  catalogerLevel?: CodeEntry;
  webSite?: string;
  birth: number;
  expiry: number;
  purge: number;
  active: boolean;
  home: Place;
  term?: Place;
  street: string;
  houseNumber: number;
  identifiers: { type: CodeEntry; value: string }[];
  emails: { address: string; type: CodeEntry; description?: string }[];
  phones: { number: string; type: CodeEntry }[];
  addressTypes: CodeEntry[];
  note?: { type: CodeEntry; text: string; viewable: boolean; created: number };
  block?: { type: CodeEntry; description: CodeEntry; note: string; created: number };
  statistics: { category: CodeEntry; type?: CodeEntry }[];
  rsLibrary?: CodeEntry;
  notices: { code: CodeEntry; value: boolean }[];
  topic: (typeof RESEARCH_TOPICS)[number];
}

const DAY = 86400000;

function makePerson(index: number, random: () => number, plan: Plan): Person {
  const full = index === 0;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => full || random() < p;
  const codes = plan.codes;
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  const middle = chance(0.4) ? pick(MIDDLE_NAMES) : undefined;
  const serial = index + 1;
  // Names repeat, so the serial makes the id unique in the file and the seed across files.
  const primaryId = `${first[1]}.${last[1]}${serial}-s${plan.seed}`;
  const group = full ? codes('userGroups')[0] : pick(codes('userGroups'));
  const student = /student|grad|ug|pg/i.test(group.code) && !full;
  // Students stay a few years; staff contracts run longer. Purge always follows expiry.
  const expiry = endOfMonth(plan.reference + Math.floor((student ? 300 : 700) + random() * 1100) * DAY);
  const purge = expiry + (365 + Math.floor(random() * 365)) * DAY;
  const birth = plan.reference - Math.floor((student ? 18 : 28) * 365.25 + random() * (student ? 8 : 35) * 365.25) * DAY;
  const home = pick(PLACES);
  const typed = (table: string, fallback: number) => codes(table)[Math.min(fallback, codes(table).length - 1)];
  const identifiers = plan.identifierTypes.map((code) => ({
    type: codes('identifierTypes').find((entry) => entry.code === code) ?? { code },
    value: identifierValue(code, serial, plan.seed),
  }));
  const emails: Person['emails'] = [{ address: `${primaryId}@example.edu`, type: typed('emailTypes', 2), description: 'University mailbox' }];
  if (chance(0.5)) emails.push({ address: `${primaryId}@mail.example.org`, type: typed('emailTypes', 0) });
  const phone = (place: Place) => `${place.phonePrefix} ${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
  const phones = [{ number: phone(home), type: typed('phoneTypes', 1) }];
  if (chance(0.4)) phones.push({ number: phone(home), type: typed('phoneTypes', 0) });
  const statCategories = codes('statisticCategories');
  const statTypes = codes('statisticalTypes');
  return {
    full,
    first,
    middle,
    last,
    preferredFirst: chance(0.2) ? first[0].slice(0, Math.max(2, Math.ceil(first[0].length / 2))) : undefined,
    primaryId,
    pin: String(Math.floor(random() * 10000)).padStart(4, '0'),
    title: pick(codes('userTitles')),
    group,
    job: !student && chance(0.6) ? { category: pick(codes('jobCategories')), description: `${pick(['Senior', 'Assistant', 'Visiting', 'Principal'])} ${pick(['lecturer', 'librarian', 'researcher', 'administrator'])}` } : undefined,
    gender: pick(codes('genders')),
    campus: pick(codes('campusCodes')),
    language: pick(codes('preferredLanguages')),
    catalogerLevel: chance(0.1) ? pick(codes('catalogerLevels')) : undefined,
    webSite: chance(0.3) ? `https://people.example.edu/${primaryId}` : undefined,
    birth,
    expiry,
    purge,
    active: full || random() < 0.9,
    home,
    term: chance(0.3) ? pick(PLACES) : undefined,
    street: pick(home.streets),
    houseNumber: 1 + Math.floor(random() * 240),
    identifiers,
    emails,
    phones,
    addressTypes: codes('addressTypes'),
    note: chance(0.3)
      ? { type: pick(codes('noteTypes')), text: pick(NOTE_TEXTS), viewable: random() < 0.5, created: plan.reference - Math.floor(random() * 400) * DAY }
      : undefined,
    block: chance(0.05)
      ? { type: pick(codes('blockTypes')), description: pick(codes('blockDescriptions')), note: 'Items more than 60 days overdue', created: plan.reference - Math.floor(random() * 90) * DAY }
      : undefined,
    statistics: statCategories.length > 0 ? [{ category: pick(statCategories), type: statTypes.length > 0 ? pick(statTypes) : undefined }] : [],
    rsLibrary: chance(0.2) ? pick(codes('rsLibraries')) : undefined,
    notices: chance(0.3) ? [{ code: pick(codes('libraryNotices')), value: random() < 0.5 }] : [],
    topic: pick(RESEARCH_TOPICS),
  };
}

/**
 * Unique across users (the serial), across seeds (the seed) and across types (the pattern). A
 * barcode or ORCID is digits only, so the seed goes in as seedDigits, which no other seed's
 * digits begin with: the serial after it can then never make one seed's value another's.
 */
function identifierValue(type: string, serial: number, seed: number): string {
  if (/barcode/i.test(type)) return `21${seedDigits(seed)}${String(serial).padStart(7, '0')}`;
  if (/orcid/i.test(type)) {
    const prefix = seedDigits(seed);
    const digits = `${prefix}${String(serial).padStart(Math.max(1, 16 - prefix.length), '0')}`;
    return digits.replace(/\d{4}(?=\d)/g, '$&-');
  }
  return `${type}-${seed}-${String(serial).padStart(7, '0')}`;
}

/** The seed's decimal digits led by their count less one: "01" for seed 1, "9" and ten digits for the largest. */
function seedDigits(seed: number): string {
  const digits = String(seed >>> 0);
  return `${digits.length - 1}${digits}`;
}

function endOfMonth(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0);
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

// --- v2 -------------------------------------------------------------------------------------

function v2User(p: Person, plan: Plan): string {
  const x = new XmlLines(2);
  x.open('user');
  x.text('primary_id', p.primaryId);
  x.text('first_name', p.first[0]);
  if (p.middle) x.text('middle_name', p.middle[0]);
  x.text('last_name', p.last[0]);
  if (p.preferredFirst) {
    x.text('pref_first_name', p.preferredFirst);
    if (p.middle) x.text('pref_middle_name', `${p.middle[0][0]}.`);
    x.text('pref_last_name', p.last[0]);
  }
  if (plan.researchers) x.text('pref_name_suffix', 'PhD');
  x.text('pin_number', p.pin);
  x.code('user_title', p.title);
  if (p.job) {
    x.code('job_category', p.job.category);
    x.text('job_description', p.job.description);
  }
  x.code('gender', p.gender);
  x.code('user_group', p.group);
  x.code('campus_code', p.campus);
  if (p.webSite) x.text('web_site_url', p.webSite);
  if (p.catalogerLevel) x.code('cataloger_level', p.catalogerLevel);
  x.code('preferred_language', p.language);
  x.text('birth_date', `${isoDate(p.birth)}Z`);
  x.text('expiry_date', `${isoDate(p.expiry)}Z`);
  x.text('purge_date', `${isoDate(p.purge)}Z`);
  x.code('status', p.active ? { code: 'ACTIVE', description: 'Active' } : { code: 'INACTIVE', description: 'Inactive' });

  x.open('contact_info');
  x.open('addresses');
  const addresses = addressesOf(p, plan);
  addresses.forEach((address, i) => {
    x.open('address', { preferred: String(i === 0), segment_type: 'External' });
    x.text('line1', address.line1);
    if (address.line2) x.text('line2', address.line2);
    x.text('city', address.place.city);
    if (address.place.state) x.text('state_province', address.place.state);
    x.text('postal_code', address.place.postalCode);
    x.code('country', countryCode(address.place, plan));
    if (address.note) x.text('address_note', address.note);
    if (address.start !== undefined && address.end !== undefined) {
      x.text('start_date', `${isoDate(address.start)}Z`);
      x.text('end_date', `${isoDate(address.end)}Z`);
    }
    x.open('address_types');
    x.code('address_type', address.type);
    x.close();
    x.close();
  });
  x.close();
  x.open('emails');
  p.emails.forEach((email, i) => {
    x.open('email', { preferred: String(i === 0), segment_type: 'External' });
    x.text('email_address', email.address);
    if (email.description) x.text('description', email.description);
    x.open('email_types');
    x.code('email_type', email.type);
    x.close();
    x.close();
  });
  x.close();
  x.open('phones');
  p.phones.forEach((phone, i) => {
    x.open('phone', { preferred: String(i === 0), preferred_sms: String(i === 0), segment_type: 'External' });
    x.text('phone_number', phone.number);
    x.open('phone_types');
    x.code('phone_type', phone.type);
    x.close();
    x.close();
  });
  x.close();
  x.close();

  x.open('user_identifiers');
  for (const identifier of p.identifiers) {
    x.open('user_identifier', { segment_type: 'External' });
    x.code('id_type', identifier.type);
    x.text('value', identifier.value);
    x.text('status', 'ACTIVE');
    x.close();
  }
  x.close();
  if (p.block) {
    x.open('user_blocks');
    x.open('user_block', { segment_type: 'External' });
    x.code('block_type', p.block.type);
    x.code('block_description', p.block.description);
    x.text('block_status', 'Active');
    x.text('block_note', p.block.note);
    x.text('created_by', 'SIS');
    x.text('created_date', `${isoDate(p.block.created)}T08:00:00Z`);
    x.close();
    x.close();
  }
  if (p.note) {
    x.open('user_notes');
    x.open('user_note', { segment_type: 'External' });
    x.code('note_type', p.note.type);
    x.text('note_text', p.note.text);
    x.text('user_viewable', String(p.note.viewable));
    x.text('popup_note', 'false');
    x.text('created_by', 'SIS');
    x.text('created_date', `${isoDate(p.note.created)}T09:30:00Z`);
    x.close();
    x.close();
  }
  if (p.statistics.length > 0) {
    x.open('user_statistics');
    for (const statistic of p.statistics) {
      x.open('user_statistic', { segment_type: 'External' });
      x.code('statistic_category', statistic.category);
      if (statistic.type) x.code('category_type', statistic.type);
      x.close();
    }
    x.close();
  }
  if (p.rsLibrary) {
    x.open('rs_libraries');
    x.open('rs_library');
    x.code('code', p.rsLibrary);
    x.close();
    x.close();
  }
  if (p.notices.length > 0) {
    x.open('library_notices');
    for (const notice of p.notices) {
      x.open('library_notice');
      x.code('code', notice.code);
      x.text('value', String(notice.value));
      x.close();
    }
    x.close();
  }
  if (plan.researchers) researcher(x, p);
  x.close();
  return x.result();
}

function researcher(x: XmlLines, p: Person): void {
  const [organization, organizationName, keyword] = p.topic;
  x.text('is_researcher', 'true');
  x.open('researcher');
  x.text('researcher_first_name', p.first[0]);
  if (p.middle) x.text('researcher_middle_name', p.middle[0]);
  x.text('researcher_last_name', p.last[0]);
  x.code('researcher_title', p.title);
  x.text('display_title', `Researcher, ${organizationName}`);
  x.text('previous_affiliated', 'false');
  x.code('default_publication_language', p.language);
  x.open('researcher_alternate_emails');
  x.open('researcher_alternate_email');
  x.text('email_address', `${p.primaryId}@research.example.org`);
  x.close();
  x.close();
  x.open('researcher_organization_affiliations');
  x.open('researcher_organization_affiliation');
  x.text('organization_code', organization);
  x.text('organization_name', organizationName);
  x.text('start_date', `${isoDate(p.expiry - 4 * 365 * DAY)}Z`);
  x.text('title', `Researcher, ${organizationName}`);
  x.close();
  x.close();
  x.open('researcher_name_variants');
  x.open('researcher_name_variant');
  x.text('first_name', p.first[1].replace(/^./, (letter) => letter.toUpperCase()));
  x.text('last_name', p.last[1].replace(/^./, (letter) => letter.toUpperCase()));
  x.close();
  x.close();
  x.open('researcher_keywords');
  x.open('researcher_keyword');
  x.text('value', keyword);
  x.close();
  x.close();
  x.close();
}

interface Address {
  line1: string;
  line2?: string;
  place: Place;
  type: CodeEntry;
  note?: string;
  start?: number;
  end?: number;
}

function addressesOf(p: Person, plan: Plan): Address[] {
  const types = p.addressTypes;
  const byCode = (code: string, fallback: number) => types.find((t) => t.code === code) ?? types[Math.min(fallback, types.length - 1)];
  const home: Address = { line1: `${p.houseNumber} ${p.street}`, place: p.home, type: byCode('home', 0) };
  if (!p.term) return [home];
  // A term-time address runs from the start of the academic year to the end of the card's validity.
  const term: Address = {
    line1: `Residence Hall ${String.fromCharCode(65 + (p.houseNumber % 6))}, room ${100 + p.houseNumber}`,
    line2: p.term.streets[1],
    place: p.term,
    type: byCode('school', 2),
    note: 'Term-time address',
    start: plan.reference,
    end: p.expiry,
  };
  return [term, home];
}

function countryCode(place: Place, plan: Plan): CodeEntry {
  const table = plan.codes('countries');
  return table.find((entry) => entry.code === place.country) ?? table[0];
}

// --- v1 -------------------------------------------------------------------------------------

const V1_DATE = (time: number) => isoDate(time).replace(/-/g, '');

function v1User(p: Person, plan: Plan): string {
  const x = new XmlLines(2);
  x.open('userRecord');
  x.open('userDetails');
  x.text('userName', p.primaryId);
  x.text('firstName', p.first[0]);
  if (p.middle) x.text('middleName', p.middle[0]);
  x.text('lastName', p.last[0]);
  x.text('userTitle', p.title.code);
  x.text('userGroup', p.group.code);
  x.text('campusCode', p.campus.code);
  if (p.webSite) x.text('webSiteUrl', p.webSite);
  if (p.job) {
    x.text('jobTitle', p.job.category.code);
    x.text('jobDescription', p.job.description);
  }
  x.text('gender', p.gender.code);
  x.text('pinNumber', p.pin);
  x.text('expiryDate', V1_DATE(p.expiry));
  x.text('purgeDate', V1_DATE(p.purge));
  x.text('birthDate', V1_DATE(p.birth));
  x.text('defaultLanguage', p.language.code);
  x.text('status', p.active ? 'Active' : 'Inactive');
  if (p.rsLibrary) x.text('resourceSharingLibraryCode', p.rsLibrary.code);
  x.close();
  x.open('userIdentifiers');
  for (const identifier of p.identifiers) {
    x.open('userIdentifier');
    x.text('type', identifier.type.code);
    x.text('value', identifier.value);
    x.text('status', 'ACTIVE');
    x.close();
  }
  x.close();
  x.open('userAddressList');
  addressesOf(p, plan).forEach((address, i) => {
    x.open('userAddress', { preferred: String(i === 0) });
    x.text('line1', address.line1);
    if (address.line2) x.text('line2', address.line2);
    x.text('city', address.place.city);
    if (address.place.state) x.text('stateProvince', address.place.state);
    x.text('postalCode', address.place.postalCode);
    x.text('country', countryCode(address.place, plan).code);
    if (address.start !== undefined && address.end !== undefined) {
      x.text('startDate', V1_DATE(address.start));
      x.text('endDate', V1_DATE(address.end));
    }
    x.open('types');
    x.text('userAddressTypes', address.type.code);
    x.close();
    x.close();
  });
  p.phones.forEach((phone, i) => {
    x.open('userPhone', { preferred: String(i === 0), preferredSMS: String(i === 0) });
    x.text('phone', phone.number);
    x.open('types');
    x.text('userPhoneTypes', phone.type.code);
    x.close();
    x.close();
  });
  p.emails.forEach((email, i) => {
    x.open('userEmail', { preferred: String(i === 0) });
    x.text('email', email.address);
    if (email.description) x.text('description', email.description);
    x.open('types');
    x.text('userEmailTypes', email.type.code);
    x.close();
    x.close();
  });
  x.close();
  if (p.note) {
    x.open('userNoteList');
    x.open('userNote');
    x.text('type', p.note.type.code);
    x.text('note', p.note.text);
    x.text('userViewable', String(p.note.viewable));
    x.close();
    x.close();
  }
  if (p.block) {
    x.open('userBlockList');
    x.open('userBlock');
    x.text('type', p.block.type.code);
    x.text('status', 'Active');
    x.text('note', p.block.note);
    x.text('blockDefinitionId', p.block.description.code);
    x.close();
    x.close();
  }
  if (p.statistics.length > 0) {
    x.open('userStatisticalCategoriesList');
    for (const statistic of p.statistics) {
      x.open('userCategory');
      x.text('statisticalCategory', statistic.category.code);
      x.close();
    }
    x.close();
  }
  x.close();
  return x.result();
}

// --- XML text --------------------------------------------------------------------------------

/** Indented XML lines for one user; values are escaped here and nowhere else. */
class XmlLines {
  private readonly lines: string[] = [];
  private readonly stack: string[] = [];

  constructor(private readonly baseDepth: number) {}

  private indent(): string {
    return '  '.repeat(this.baseDepth - 1 + this.stack.length);
  }

  open(name: string, attributes: Record<string, string> = {}): void {
    this.lines.push(`${this.indent()}<${name}${attributeText(attributes)}>`);
    this.stack.push(name);
  }

  close(): void {
    const name = this.stack.pop();
    this.lines.push(`${this.indent()}</${name}>`);
  }

  text(name: string, value: string, attributes: Record<string, string> = {}): void {
    this.lines.push(`${this.indent()}<${name}${attributeText(attributes)}>${escapeXml(value)}</${name}>`);
  }

  /** A coded value with its description as `desc`, as Alma's exports write it. */
  code(name: string, entry: CodeEntry): void {
    this.text(name, entry.code, entry.description ? { desc: entry.description } : {});
  }

  result(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function attributeText(attributes: Record<string, string>): string {
  return Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&quot;'));
}

// --- deterministic randomness -----------------------------------------------------------------

/** mulberry32: a tiny 32-bit PRNG, plenty for sample data, and the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A number seed as given; a text seed hashed with FNV-1a, so `--seed nightly` works too. */
export function seedNumber(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  if (/^\d+$/.test(seed)) return Number(seed) >>> 0;
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(seed, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
