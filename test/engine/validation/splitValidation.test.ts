// A file validated in two halves (engine/validation/splitValidation.ts) must give exactly what
// one scan gives: the same findings, positions, messages, order, counts and rejected users, and
// the same identifiers left for the files after it. Every case runs both ways and compares the
// whole set result as JSON; the split runs its second half on this thread (onThisThread), then,
// for a few, on the worker thread of the built bundle (dist/validateWorker.js).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { validateInputs } from '../../../server/src/engine/validation/validateSet';
import { SPLIT_WORKER_SCRIPT, type SplitOptions } from '../../../server/src/engine/validation/splitValidation';
import { describeMutant, mutant, randomFor, sampleFiles, type Random } from '../../helpers/userFileMutator';
import { repoRoot } from '../../helpers/repoRoot';

const dir = mkdtempSync(join(tmpdir(), 'alma-sis-split-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Compared {
  serial: string;
  split: string;
  decisions: string[];
}

let written = 0;

/** The files validated as one set, once on one thread and once split; `share`: where the cut is looked for. */
async function both(files: (string | Buffer)[], settings: ValidationSettings, share: number, split: SplitOptions = { onThisThread: true }): Promise<Compared> {
  const paths = files.map((bytes) => {
    const path = join(dir, `f${++written}.xml`);
    writeFileSync(path, bytes);
    return path;
  });
  const { documents } = await expandInputs(paths);
  const serial = await validateInputs(documents, settings, { split: false });
  const decisions: string[] = [];
  const halves = await validateInputs(documents, settings, { split: { ...split, minBytes: 0, share, onDecision: (_path, decision) => decisions.push(decision) } });
  // Paths differ from run to run only by the folder: the comparison is of everything else.
  return { serial: JSON.stringify(serial), split: JSON.stringify(halves), decisions };
}

function same(compared: Compared, what: string): void {
  if (compared.split !== compared.serial) {
    assert.fail(`${what}: the split result differs from one scan's (${compared.decisions.join('; ')})\none scan: ${compared.serial.slice(0, 3000)}\nsplit:    ${compared.split.slice(0, 3000)}`);
  }
}

/** A feed of `count` users with what a real one holds, and planted trouble a split must keep right. */
function feed(random: Random, count: number, options: { crlf?: boolean; compact?: boolean; bom?: boolean } = {}): string {
  const nl = options.crlf ? '\r\n' : '\n';
  const ids: string[] = [];
  const users: string[] = [];
  for (let k = 0; k < count; k++) {
    const fields: string[] = [];
    const roll = random.int(100);
    // Primary ids: mostly fresh, some an earlier user's (in another case now and then), some missing.
    let primary: string | null = `p${k}`;
    if (roll < 8 && ids.length > 0) primary = random.pick(ids);
    else if (roll < 11 && ids.length > 0) primary = random.pick(ids).toUpperCase();
    else if (roll < 15) primary = null;
    if (primary !== null) fields.push(`<primary_id>${primary}</primary_id>`);
    if (random.int(10) > 0) fields.push(`<first_name>${random.chance(0.1) ? 'Zoë 𝄞' : 'Ann'}</first_name><last_name>Lee</last_name>`);
    if (random.chance(0.5)) fields.push('<record_type desc="Public">PUBLIC</record_type>');
    if (random.chance(0.05)) fields.push('<expiry_date>2024-02-30</expiry_date>');
    if (random.chance(0.05)) fields.push('<expiry_date>2030-01-01</expiry_date><purge_date>2029-01-01</purge_date>');
    const identifiers: string[] = [];
    const barcode = random.chance(0.1) && ids.length > 0 ? `b${random.pick(ids)}` : `b${primary ?? `n${k}`}`;
    identifiers.push(`<user_identifier><id_type>BARCODE</id_type><value>${barcode}</value></user_identifier>`);
    if (random.chance(0.05)) identifiers.push(`<user_identifier><id_type>OTHER_ID_1</id_type><value>${random.chance(0.5) ? barcode : `o${k}`}</value></user_identifier>`);
    fields.push(`<user_identifiers>${identifiers.join('')}</user_identifiers>`);
    if (primary !== null) ids.push(primary);
    const body = options.compact ? fields.join('') : fields.map((f) => `${nl}    ${f}`).join('') + `${nl}  `;
    users.push(`  <user>${body}</user>`);
  }
  return `${options.bom ? '\ufeff' : ''}<?xml version="1.0" encoding="UTF-8"?>${nl}<users>${nl}${users.join(nl)}${nl}</users>${nl}`;
}

const settingsFor = (random: Random): ValidationSettings => ({
  ...DEFAULT_SETTINGS,
  strict: random.chance(0.3),
  matchIdType: random.pick([undefined, 'primary_id', 'BARCODE']),
  usedFor: random.pick([undefined, 'users', 'researchers']),
  rules: random.chance(0.3) ? { 'profile-field': random.pick(['off', 'warning'] as const), 'identifier-case': 'error' } : {},
});

describe('a file validated in two halves', () => {
  it('gives one scan\'s result for generated feeds, wherever the cut falls', async () => {
    let splits = 0;
    for (let index = 0; index < 60; index++) {
      const random = randomFor(20261203, index);
      const text = feed(random, 20 + random.int(300), { crlf: random.chance(0.2), compact: random.chance(0.2), bom: random.chance(0.1) });
      const compared = await both([text], settingsFor(random), 0.05 + random.int(90) / 100);
      same(compared, `feed ${index}`);
      if (compared.decisions[0] === 'split') splits++;
    }
    // Nearly every cut of a plain feed is taken: the comparison above is of split results.
    assert.ok(splits >= 55, `only ${splits} of 60 feeds were split`);
  });

  it('leaves the identifiers to the next file of the set as one scan does, and keeps first-wins across the cut', async () => {
    const random = randomFor(7, 1);
    const first = feed(random, 400);
    // The next file repeats users of both halves of the first, and one the first half rejected.
    const next = `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${[5, 150, 390, 399].map((k) => `  <user><primary_id>p${k}</primary_id><first_name>A</first_name><last_name>B</last_name></user>`).join('\n')}\n</users>\n`;
    const compared = await both([first, next], DEFAULT_SETTINGS, 0.5);
    same(compared, 'two files');
    assert.deepEqual(compared.decisions, ['split', 'split']);
    assert.match(compared.serial, /duplicate-identifier/);
  });

  it('frees a value for a later user of the second half when the user holding it there is rejected by the first half or an earlier file', async () => {
    // u1 (first half) holds X; u2 (second half) repeats X and also holds Y, so Alma rejects it and
    // it holds nothing; u3 then takes Y without a clash. A worker deciding the second half alone
    // would have given Y to u2.
    const users = [
      '  <user><primary_id>u1</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>X</value></user_identifier></user_identifiers></user>',
      ...Array.from({ length: 50 }, (_, k) => `  <user><primary_id>f${k}</primary_id></user>`),
      '  <user><primary_id>u2</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>X</value></user_identifier><user_identifier><id_type>OTHER_ID_1</id_type><value>Y</value></user_identifier></user_identifiers></user>',
      '  <user><primary_id>u3</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>Y</value></user_identifier><user_identifier><id_type>OTHER_ID_1</id_type><value>Z</value></user_identifier></user_identifiers></user>',
      '  <user><primary_id>u4</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>z</value></user_identifier></user_identifiers></user>',
    ];
    const compared = await both([`<users>\n${users.join('\n')}\n</users>\n`], DEFAULT_SETTINGS, 0.6);
    same(compared, 'cascade');
    assert.deepEqual(compared.decisions, ['split']);
    const diagnostics = JSON.parse(compared.split).documents[0].findings as { rule: string; message: string }[];
    const duplicates = diagnostics.filter((f) => f.rule === 'duplicate-identifier').map((f) => f.message);
    assert.equal(duplicates.length, 1, duplicates.join('\n'));
    assert.match(duplicates[0], /^Identifier BARCODE "X" is already used by an earlier user \(user u1, line 2\)/);
    // u4's z meets u3's Z, which u3 could take only because u2 was rejected: a case clash, at u3's line.
    assert.match(diagnostics.find((f) => f.rule === 'identifier-case')?.message ?? '', /"z".*user u3, line 54/);
    // The same users as the second file of a set whose first file holds X instead of u1.
    const earlier = '<users>\n  <user><primary_id>e1</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>X</value></user_identifier></user_identifiers></user>\n</users>\n';
    const inSet = await both([earlier, `<users>\n${users.slice(1).join('\n')}\n</users>\n`], DEFAULT_SETTINGS, 0.6);
    same(inSet, 'cascade from an earlier file');
    assert.equal(inSet.decisions.at(-1), 'split');
    assert.match(inSet.serial, /Identifier BARCODE \\"X\\" is already used by an earlier user \(user e1, /);
  });

  it('keeps the caps and the collapsed findings\' places as one scan counts them', async () => {
    // 1,500 users without primary_id or names (an error that collapses and rejects: its places
    // are capped), 1,500 that repeat their own barcode (a rule capped at 1,000), and every user
    // without the profile's match identifier: past 5,000 in all, on both sides of the cut.
    const users = Array.from({ length: 3000 }, (_, k) => (k % 2 === 0
      ? '  <user><record_type>STAFF</record_type></user>'
      : `  <user><primary_id>q${k}</primary_id><user_identifiers>${'<user_identifier><id_type>BARCODE</id_type><value>x</value></user_identifier>'.repeat(2)}</user_identifiers></user>`));
    const compared = await both([`<users>\n${users.join('\n')}\n</users>\n`], { ...DEFAULT_SETTINGS, matchIdType: 'UNIV_ID' }, 0.5);
    same(compared, 'caps');
    assert.deepEqual(compared.decisions, ['split']);
    assert.match(compared.serial, /more duplicate-identifier-in-user findings/);
    assert.match(compared.serial, /more missing-match-id findings/);
  });

  it('reads on one thread when the cut is not between users, and says why', async () => {
    const users = Array.from({ length: 40 }, (_, k) => `  <user><primary_id>c${k}</primary_id></user>`);
    const cases: [string, string, RegExp][] = [
      // A comment that holds a line like a user's start tag, across the middle.
      ['comment', `<users>\n${users.slice(0, 20).join('\n')}\n<!--\n${users.join('\n')}\n-->\n${users.slice(20).join('\n')}\n</users>\n`, /not between users/],
      ['text in the root', `<users>\n${users.slice(0, 30).join('\n')}\nstray text\n${users.slice(30).join('\n')}\n</users>\n`, /text directly in the root/],
      ['another element in the root', `<users>\n${users.join('\n')}\n<note/>\n</users>\n`, /another element/],
      ['a broken tag', `<users>\n${users.join('\n')}\n  <user><primary_id>z</primary_id></usr>\n</users>\n`, /well-formedness/],
      ['the root left open', `<users>\n${users.join('\n')}\n`, /well-formedness/],
      ['a userRecords root without the v1 namespace', `<userRecords>\n${users.join('\n')}\n</userRecords>\n`, /not between users|settled version/],
      ['a user as the root', `<user><primary_id>r</primary_id>\n${users.join('\n')}\n</user>\n`, /not between users|settled version/],
    ];
    for (const [what, text, why] of cases) {
      const compared = await both([text], DEFAULT_SETTINGS, 0.5);
      same(compared, what);
      assert.equal(compared.decisions.length, 1, what);
      assert.match(compared.decisions[0], why, what);
    }
  });

  it('splits a v1 file and a root with attributes as one scan reads them', async () => {
    const v1Users = Array.from({ length: 60 }, (_, k) => `  <userRecord><userName>v${k % 50}</userName><firstName>A</firstName><lastName>B</lastName></userRecord>`);
    const v1 = `<?xml version="1.0"?>\n<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans">\n${v1Users.join('\n')}\n</userRecords>\n`;
    const attributes = `<users xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" total_record_count="60" note="a &amp; b &lt; &quot;c&quot; é">\n${Array.from({ length: 60 }, (_, k) => `  <user><primary_id>a${k % 55}</primary_id></user>`).join('\n')}\n</users>\n`;
    for (const [what, text] of [['v1', v1], ['attributes', attributes]]) {
      const compared = await both([text], DEFAULT_SETTINGS, 0.5);
      same(compared, what);
      assert.deepEqual(compared.decisions, ['split'], what);
    }
  });

  it('gives one scan\'s result for 3,000 mutants of the samples', async () => {
    const samples = sampleFiles();
    let splits = 0;
    for (let index = 0; index < 3000; index++) {
      const m = mutant(samples, 20261203, index);
      const random = randomFor(1203, index);
      const compared = await both([m.bytes], settingsFor(random), 0.1 + random.int(80) / 100);
      same(compared, describeMutant(m));
      if (compared.decisions[0] === 'split') splits++;
    }
    assert.ok(splits > 100, `only ${splits} mutants were split`);
  });
});

describe('the second half on the worker thread (dist/validateWorker.js)', () => {
  const root = repoRoot();
  const script = join(root, 'dist', SPLIT_WORKER_SCRIPT);
  before(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  });

  it('gives one scan\'s result and its progress adds up to the file', async () => {
    assert.ok(existsSync(script), 'the build writes the worker');
    for (let index = 0; index < 5; index++) {
      const random = randomFor(99, index);
      const text = feed(random, 3000 + random.int(2000), { crlf: index === 3 });
      const compared = await both([text, '<users>\n  <user><primary_id>p7</primary_id></user>\n  <user><primary_id>p4</primary_id></user>\n</users>\n'], settingsFor(random), 0.3 + index / 10, { workerScript: script });
      same(compared, `worker feed ${index}`);
      assert.equal(compared.decisions[0], 'split');
    }
    const path = join(dir, 'progress.xml');
    writeFileSync(path, feed(randomFor(5, 5), 20000));
    const { documents } = await expandInputs([path]);
    let last = 0;
    const result = await validateInputs(documents, DEFAULT_SETTINGS, { split: { minBytes: 0, workerScript: script }, onProgress: (p) => (last = Math.max(last, p.bytesDone)) });
    assert.equal(last, documents[0].size);
    assert.equal(result.documents[0].users, 20000);
  });
});
