#!/usr/bin/env node
// Writes a synthetic Alma SIS v2 users file for the benchmark, with planted duplicate identifiers
// and a manifest of where they are, so the benchmark can check that a validator finds every one.
//
//   node bench/generate-users.mjs --users N --out FILE [--seed S] [--duplicates K] [--compact]
//
// The file is streamed to disk: a 300k-user indented file is ~750 MB, longer than V8's longest string.
import { createWriteStream, existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { parseCount as parseCountOf } from './arguments.mjs';

/** Bump when the generated content changes, so the benchmark stops reusing older files. */
export const GENERATOR_VERSION = 2;

/** Flushing at about 1 MB keeps memory flat and write calls few. */
const CHUNK_CHARS = 1 << 20;

/** mulberry32: tiny, fast and good enough to make varied but reproducible records. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Name pools. Latin names with diacritics and CJK names are rarer, as in most Western SIS feeds,
// but frequent enough that every file carries 2-, 3- and 4-byte UTF-8 sequences.
const FIRST_NAMES = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William',
  'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Daniel', 'Nancy', 'Matthew', 'Lisa', 'Anthony', 'Margaret', 'Mark', 'Sandra', 'Steven', 'Ashley', 'Andrew',
  'Emily', 'Kevin', 'Donna', 'Brian', 'Michelle', 'George', 'Olivia', 'Aroha', 'Tane', 'Priya', 'Rahul', 'Fatima',
  'Omar', 'Chen', 'Mei', 'Liam', 'Noah', 'Ava', 'Mia'];
const LAST_NAMES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson',
  'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen',
  "O'Brien", 'Ngata', 'Patel', 'Singh', 'Nguyen', 'Kim', 'Wang', 'MacDonald', 'Fitzgerald', 'Campbell'];
const ACCENTED_FIRST = ['José', 'Zoë', 'Renée', 'Søren', 'Łukasz', 'François', 'Chloé', 'Björn', 'Núria', 'Dvořák',
  'Inés', 'Ålfhild', 'Mātene', 'Ahmet Çelik'];
const ACCENTED_LAST = ['Müller', 'Øvergård', 'Sánchez', 'Nowakowski-Wróbel', 'Gonçalves', 'Żółkiewski', 'Ibáñez',
  'Þórsdóttir', 'Lefèvre', 'Kovačević', 'Tūhoe', 'Straße'];
// CJK names carry a romanisation, used where Alma wants ASCII (primary id, e-mail).
const CJK_NAMES = [
  { first: '太郎', last: '山田', asciiFirst: 'taro', asciiLast: 'yamada' },
  { first: '明', last: '李', asciiFirst: 'ming', asciiLast: 'li' },
  { first: '美咲', last: '佐藤', asciiFirst: 'misaki', asciiLast: 'sato' },
  { first: '伟', last: '王', asciiFirst: 'wei', asciiLast: 'wang' },
  { first: '서연', last: '김', asciiFirst: 'seoyeon', asciiLast: 'kim' },
  { first: '𠮷乃', last: '吉田', asciiFirst: 'yoshino', asciiLast: 'yoshida' },
];
const USER_GROUPS = [
  ['UG', 'Undergraduate'], ['PG', 'Postgraduate'], ['PHD', 'Doctoral candidate'], ['STAFF', 'Academic staff'],
  ['GENSTAFF', 'General staff'], ['ALUM', 'Alumni'], ['EXT', 'External borrower'],
];
const CAMPUSES = [['MAIN', 'Main campus'], ['CITY', 'City campus'], ['NORTH', 'North campus'], ['ONLINE', 'Distance learning']];
const LANGUAGES = [['en', 'English'], ['en', 'English'], ['en', 'English'], ['fr', 'French'], ['es', 'Spanish'], ['mi', 'Māori']];
const STREETS = ['Main Street', 'High Street', 'Victoria Avenue', 'Church Road', 'Park Lane', 'George Street',
  'Queen Street', 'Rue de la Paix', 'Calle Mayor', 'Königstraße', 'Station Road', 'College Avenue'];
const CITIES = [['Springfield', 'IL', 'USA', 'United States'], ['Cambridge', 'MA', 'USA', 'United States'],
  ['Dunedin', 'Otago', 'NZL', 'New Zealand'], ['Montréal', 'QC', 'CAN', 'Canada'], ['Toronto', 'ON', 'CAN', 'Canada'],
  ['Manchester', 'Greater Manchester', 'GBR', 'United Kingdom'], ['München', 'Bayern', 'DEU', 'Germany'],
  ['Brisbane', 'QLD', 'AUS', 'Australia']];
const FACULTIES = [['ARTS', 'Arts & Humanities'], ['SCI', 'Science'], ['ENG', 'Engineering'], ['MED', 'Medicine & Health'],
  ['BUS', 'Business School'], ['LAW', 'Law'], ['EDU', 'Education']];
const NOTES = ['Library card reissued after loss.', 'Accessibility: needs ground-floor pickup.',
  'Fines waived by the circulation manager.', 'Exchange student, résumé on file at the international office.'];

function usageError(message) {
  process.stderr.write(`generate-users: ${message}\n` +
    'usage: node bench/generate-users.mjs --users N --out FILE [--seed S] [--duplicates K] [--compact]\n');
  process.exit(2);
}

function parseCount(text, name) {
  return parseCountOf(text, name, usageError);
}

function parseArgs(argv) {
  const options = { users: undefined, out: undefined, seed: 1, duplicates: undefined, compact: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--users') options.users = parseCount(value(), '--users');
    else if (arg === '--out') options.out = value();
    else if (arg === '--seed') options.seed = parseCount(value(), '--seed');
    else if (arg === '--duplicates') options.duplicates = parseCount(value(), '--duplicates');
    else if (arg === '--compact') options.compact = true;
    else usageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (options.users === undefined || options.users < 1) usageError('--users must be at least 1');
  if (!options.out) usageError('--out is required');
  return options;
}

/** N/1000, at least one, but never more than a tiny file can hold. */
export function defaultDuplicateCount(users) {
  return Math.min(Math.floor(users / 3), Math.max(1, Math.floor(users / 1000)));
}

function escapeText(text) {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(text) {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** ASCII letters only, for the parts of a record institutions keep ASCII (ids, e-mail local parts). */
function asciiFold(text) {
  const special = { 'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'ß': 'ss', 'þ': 'th', 'Þ': 'Th', 'å': 'a', 'Å': 'A' };
  return text.normalize('NFD').replace(/[łŁøØßþÞ]/g, (c) => special[c]).replace(/[^A-Za-z]/g, '').toLowerCase();
}

function isoDate(epochDays) {
  return new Date(epochDays * 86400000).toISOString().slice(0, 10) + 'Z';
}

/**
 * Identifier values are bijections of the user's index (multipliers coprime with the modulus),
 * so they are unique without a set, look random, and differ per seed.
 */
function barcodeOf(index, seed) {
  // BigInt because index * multiplier passes 2^53 for large files.
  const value = (BigInt(index) * 7_919_000_003n + BigInt(seed % 1e6) * 104_729n) % 10_000_000_000_000n;
  return '2' + String(value).padStart(13, '0');
}

function univIdOf(index, seed) {
  const modulus = 1e9;
  const value = (index * 48_271_003 + (seed % 1e6) * 7_777) % modulus;
  return 'U' + String(value).padStart(9, '0');
}

/**
 * Chooses which later users reuse an identifier of an earlier one: 2K distinct users, paired at random,
 * the earlier of each pair being the source. Sources are never duplicates themselves and are used once,
 * so each planted value occurs exactly twice in the file.
 */
function planDuplicates(users, count, random) {
  if (count > Math.floor(users / 3)) {
    usageError(`--duplicates ${count} is too many for ${users} users (at most a third of them)`);
  }
  const chosen = new Set();
  while (chosen.size < 2 * count) chosen.add(Math.floor(random() * users));
  const shuffled = [...chosen];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const pairs = [];
  for (let i = 0; i < shuffled.length; i += 2) {
    const [a, b] = [shuffled[i], shuffled[i + 1]];
    pairs.push({ source: Math.min(a, b), target: Math.max(a, b) });
  }
  pairs.sort((x, y) => x.target - y.target);
  const plan = new Map();
  const sources = new Map();
  pairs.forEach(({ source, target }, ordinal) => {
    const kind = ordinal % 2 === 0 ? 'barcode' : 'primary_id';
    plan.set(target, { source, kind });
    sources.set(source, { kind });
  });
  return { plan, sources };
}

/**
 * Collects one user's lines; in compact mode they are joined without separators. Returns the
 * 0-based line offset of marked elements so the manifest can point at them.
 */
class UserWriter {
  constructor(indent) {
    this.indent = indent;
    this.lines = [];
    this.marks = {};
  }

  open(depth, name, attributes = '') {
    this.lines.push(`${this.pad(depth)}<${name}${attributes}>`);
  }

  close(depth, name) {
    this.lines.push(`${this.pad(depth)}</${name}>`);
  }

  leaf(depth, name, text, attributes = '') {
    this.lines.push(`${this.pad(depth)}<${name}${attributes}>${escapeText(text)}</${name}>`);
  }

  code(depth, name, code, desc) {
    this.leaf(depth, name, code, ` desc="${escapeAttribute(desc)}"`);
  }

  mark(key) {
    this.marks[key] = this.lines.length - 1;
  }

  pad(depth) {
    return this.indent ? '  '.repeat(depth) : '';
  }
}

function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

function makeName(random) {
  const roll = random();
  if (roll < 0.04) {
    const name = pick(random, CJK_NAMES);
    return { ...name, middle: '' };
  }
  const first = roll < 0.12 ? pick(random, ACCENTED_FIRST) : pick(random, FIRST_NAMES);
  const last = roll >= 0.08 && roll < 0.16 ? pick(random, ACCENTED_LAST) : pick(random, LAST_NAMES);
  const middle = random() < 0.6 ? pick(random, FIRST_NAMES) : '';
  return { first, last, middle, asciiFirst: asciiFold(first) || 'x', asciiLast: asciiFold(last) || 'user' };
}

/** Builds one <user>; `primaryId` and `barcode` are passed in so planted duplicates can override them. */
function writeUser(w, random, index, name, primaryId, barcode, seed) {
  const d = 1;
  w.open(d, 'user');
  const [group, groupDesc] = pick(random, USER_GROUPS);
  const [campus, campusDesc] = pick(random, CAMPUSES);
  const [language, languageDesc] = pick(random, LANGUAGES);
  w.code(d + 1, 'record_type', 'PUBLIC', 'Public');
  w.leaf(d + 1, 'primary_id', primaryId);
  w.mark('primary_id');
  w.leaf(d + 1, 'first_name', name.first);
  if (name.middle) w.leaf(d + 1, 'middle_name', name.middle);
  w.leaf(d + 1, 'last_name', name.last);
  w.code(d + 1, 'user_group', group, groupDesc);
  w.code(d + 1, 'campus_code', campus, campusDesc);
  w.code(d + 1, 'preferred_language', language, languageDesc);
  // 2026-01-01 is day 20454 since the epoch; expiry within five years, purge 6-24 months later.
  const expiry = 20454 + Math.floor(random() * 1826);
  w.leaf(d + 1, 'expiry_date', isoDate(expiry));
  w.leaf(d + 1, 'purge_date', isoDate(expiry + 180 + Math.floor(random() * 550)));
  w.code(d + 1, 'status', 'ACTIVE', 'Active');

  w.open(d + 1, 'contact_info');
  const [city, region, country, countryDesc] = pick(random, CITIES);
  const addressCount = random() < 0.35 ? 2 : 1;
  w.open(d + 2, 'addresses');
  for (let a = 0; a < addressCount; a++) {
    w.open(d + 3, 'address', ` preferred="${a === 0}" segment_type="External"`);
    w.leaf(d + 4, 'line1', `${1 + Math.floor(random() * 999)} ${pick(random, STREETS)}`);
    if (random() < 0.5) w.leaf(d + 4, 'line2', `Apartment ${1 + Math.floor(random() * 40)}${pick(random, ['A', 'B', 'C'])}`);
    w.leaf(d + 4, 'city', city);
    w.leaf(d + 4, 'state_province', region);
    w.leaf(d + 4, 'postal_code', String(10000 + Math.floor(random() * 89999)));
    w.code(d + 4, 'country', country, countryDesc);
    w.open(d + 4, 'address_types');
    w.code(d + 5, 'address_type', a === 0 ? 'home' : 'work', a === 0 ? 'Home' : 'Work');
    w.close(d + 4, 'address_types');
    w.close(d + 3, 'address');
  }
  w.close(d + 2, 'addresses');

  const emailCount = random() < 0.35 ? 2 : 1;
  w.open(d + 2, 'emails');
  for (let e = 0; e < emailCount; e++) {
    w.open(d + 3, 'email', ` preferred="${e === 0}" segment_type="External"`);
    const address = e === 0
      ? `${name.asciiFirst}.${name.asciiLast}${index}@students.example.edu`
      : `${name.asciiFirst}${Math.floor(random() * 100)}@mail.example.com`;
    w.leaf(d + 4, 'email_address', address);
    w.open(d + 4, 'email_types');
    w.code(d + 5, 'email_type', e === 0 ? 'school' : 'personal', e === 0 ? 'School' : 'Personal');
    w.close(d + 4, 'email_types');
    w.close(d + 3, 'email');
  }
  w.close(d + 2, 'emails');

  const phoneCount = random() < 0.35 ? 2 : 1;
  w.open(d + 2, 'phones');
  for (let p = 0; p < phoneCount; p++) {
    w.open(d + 3, 'phone', ` preferred="${p === 0}" preferred_sms="${p === 0}" segment_type="External"`);
    w.leaf(d + 4, 'phone_number', `+1 ${200 + Math.floor(random() * 800)} 555 ${String(Math.floor(random() * 10000)).padStart(4, '0')}`);
    w.open(d + 4, 'phone_types');
    w.code(d + 5, 'phone_type', p === 0 ? 'mobile' : 'home', p === 0 ? 'Mobile' : 'Home');
    w.close(d + 4, 'phone_types');
    w.close(d + 3, 'phone');
  }
  w.close(d + 2, 'phones');
  w.close(d + 1, 'contact_info');

  w.open(d + 1, 'user_identifiers');
  w.open(d + 2, 'user_identifier', ' segment_type="External"');
  w.code(d + 3, 'id_type', 'BARCODE', 'Barcode');
  w.leaf(d + 3, 'value', barcode);
  w.mark('barcode');
  w.leaf(d + 3, 'status', 'ACTIVE');
  w.close(d + 2, 'user_identifier');
  w.open(d + 2, 'user_identifier', ' segment_type="External"');
  w.code(d + 3, 'id_type', 'UNIV_ID', 'University ID');
  w.leaf(d + 3, 'value', univIdOf(index, seed));
  w.leaf(d + 3, 'status', 'ACTIVE');
  w.close(d + 2, 'user_identifier');
  w.close(d + 1, 'user_identifiers');

  if (random() < 0.08) {
    w.open(d + 1, 'user_notes');
    w.open(d + 2, 'user_note', ' segment_type="External"');
    w.code(d + 3, 'note_type', 'CIRCULATION', 'Circulation');
    w.leaf(d + 3, 'note_text', pick(random, NOTES));
    w.leaf(d + 3, 'user_viewable', 'false');
    w.leaf(d + 3, 'popup_note', 'false');
    w.close(d + 2, 'user_note');
    w.close(d + 1, 'user_notes');
  }

  const [faculty, facultyDesc] = pick(random, FACULTIES);
  w.open(d + 1, 'user_statistics');
  w.open(d + 2, 'user_statistic', ' segment_type="External"');
  w.code(d + 3, 'statistic_category', faculty, facultyDesc);
  w.code(d + 3, 'category_type', 'FACULTY', 'Faculty');
  w.close(d + 2, 'user_statistic');
  w.close(d + 1, 'user_statistics');
  w.close(d, 'user');
}

/**
 * `users-<label>[-compact]-seed<S>.xml` in `dir`, reused only when its manifest says it was made with
 * the same options and generator, else generated; `progress` hears which. Returns the manifest.
 */
export async function ensureUsersFile({ dir, users, label = String(users), seed = 1, compact = false, progress = () => {} }) {
  const file = join(dir, `users-${label}${compact ? '-compact' : ''}-seed${seed}.xml`);
  const manifestPath = `${file}.duplicates.json`;
  const duplicates = defaultDuplicateCount(users);
  if (existsSync(file) && existsSync(manifestPath)) {
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (manifest.generatorVersion === GENERATOR_VERSION && manifest.users === users && manifest.seed === seed &&
          manifest.compact === compact && manifest.duplicates.length === duplicates &&
          manifest.bytes === statSync(file).size) {
        progress(`reusing ${file}`);
        return manifest;
      }
    } catch {
      // An unreadable manifest means the file is regenerated.
    }
  }
  progress(`generating ${file} ...`);
  const started = process.hrtime.bigint();
  const manifest = await generateUsers({ users, out: file, seed, duplicates, compact });
  progress(`  ${(manifest.bytes / 1e6).toFixed(1)} MB in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  return manifest;
}

/**
 * Writes the file and its manifest. Returns the manifest object.
 * The manifest ({generatorVersion, file, users, seed, compact, bytes, duplicates: [{line, value, kind, firstLine,
 * user, firstUser}]})
 * lets the benchmark reuse a file only when it was made with the same options.
 */
export async function generateUsers({ users, out, seed = 1, duplicates, compact = false }) {
  const random = mulberry32(seed);
  const { plan, sources } = planDuplicates(users, duplicates ?? defaultDuplicateCount(users), mulberry32(seed ^ 0x5eed));
  const firstSeen = new Map();
  const planted = [];

  const stream = createWriteStream(out);
  let failure;
  stream.on('error', (error) => { failure = error; });
  const separator = compact ? '' : '\n';
  // Line 1 is the declaration; users start on line 3 when indented and all sit on line 2 when compact.
  let pending = ['<?xml version="1.0" encoding="UTF-8"?>\n<users>' + separator];
  let pendingChars = pending[0].length;
  let line = compact ? 2 : 3;

  const flush = async () => {
    if (failure) throw failure;
    // events.once rejects when 'error' fires first, so a failing disk cannot leave us waiting for 'drain'.
    if (!stream.write(pending.join(''))) await once(stream, 'drain');
    if (failure) throw failure;
    pending = [];
    pendingChars = 0;
  };

  for (let index = 0; index < users; index++) {
    const name = makeName(random);
    let primaryId = `${name.asciiLast}.${name.asciiFirst[0]}${index}`;
    let barcode = barcodeOf(index, seed);
    const duplicate = plan.get(index);
    if (duplicate) {
      const source = firstSeen.get(duplicate.source);
      if (duplicate.kind === 'barcode') barcode = source.value;
      else primaryId = source.value;
    }
    const w = new UserWriter(!compact);
    writeUser(w, random, index, name, primaryId, barcode, seed);
    const lineOf = (key) => (compact ? line : line + w.marks[key]);
    if (duplicate) {
      const source = firstSeen.get(duplicate.source);
      planted.push({
        line: lineOf(duplicate.kind),
        value: duplicate.kind === 'barcode' ? barcode : primaryId,
        kind: duplicate.kind,
        firstLine: source.line,
        user: index,
        firstUser: duplicate.source,
      });
    }
    const sourceOf = sources.get(index);
    if (sourceOf) {
      firstSeen.set(index, { value: sourceOf.kind === 'barcode' ? barcode : primaryId, line: lineOf(sourceOf.kind) });
    }
    const text = w.lines.join(separator) + separator;
    if (!compact) line += w.lines.length;
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= CHUNK_CHARS) await flush();
  }
  pending.push('</users>\n');
  await flush();
  stream.end();
  await finished(stream);

  const manifest = {
    generatorVersion: GENERATOR_VERSION,
    file: out,
    users,
    seed,
    compact,
    bytes: statSync(out).size,
    duplicates: planted,
  };
  writeFileSync(`${out}.duplicates.json`, JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  try {
    const manifest = await generateUsers({ ...options, out: resolve(options.out) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`${manifest.file}: ${manifest.users} users, ${(manifest.bytes / 1e6).toFixed(1)} MB, ` +
      `${manifest.duplicates.length} planted duplicates, ${seconds.toFixed(2)} s\n`);
  } catch (error) {
    process.stderr.write(`generate-users: cannot write ${options.out}: ${error.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
