import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { IncrementalDocument, validateText, sampleText, DEFAULT_SETTINGS, type ValidationSettings, type DocumentResult } from '../../../server/src/engine';
import { describeMutant, fuzzSeed, mutant, sampleFiles } from '../../helpers/userFileMutator';
import { EditSession, randomAction, replay, shrink, shrinkSteps, type Failure, type Step } from '../../helpers/incrementalEdits';
import { repoRoot } from '../../helpers/repoRoot';
import { mulberry32 as seededRandom } from '../../../server/src/engine/samples/sampleGenerator';

const PATH = '/work/doc.xml';

function user(id: string, extra = ''): string {
  return `  <user>\n    <primary_id>${id}</primary_id>\n    <first_name>Ann</first_name>\n    <last_name>Lee</last_name>\n    <user_group>Student</user_group>${extra}\n    <user_identifiers>\n      <user_identifier segment_type="External">\n        <id_type>BARCODE</id_type>\n        <value>B-${id}</value>\n      </user_identifier>\n    </user_identifiers>\n  </user>\n`;
}

function usersDocument(ids: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${ids.map((id) => user(id, id.endsWith('7') ? '\n    <record_type>PUBLIC</record_type>' : '')).join('')}</users>\n`;
}

function open(text: string, settings: ValidationSettings = DEFAULT_SETTINGS): IncrementalDocument {
  return new IncrementalDocument(TextDocument.create('file:///work/doc.xml', 'xml', 1, text), PATH, settings);
}

function full(doc: IncrementalDocument, settings: ValidationSettings = DEFAULT_SETTINGS): DocumentResult {
  return validateText(doc.document.getText(), PATH, settings);
}

/** Replaces [start, end) (offsets in the current text) with `text`, as an editor would send it. */
function edit(doc: IncrementalDocument, start: number, end: number, text: string): void {
  const d = doc.document;
  doc.update([{ range: { start: d.positionAt(start), end: d.positionAt(end) }, text }], d.version + 1);
}

test('an edit inside one user re-checks that user only, and the result equals a full validation', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3', 'a4']));
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 1);
  const text = doc.document.getText();
  const at = text.indexOf('<first_name>Ann', text.indexOf('a3')) + '<first_name>'.length;
  edit(doc, at, at + 1, 'B');
  assert.deepEqual(doc.validate(), full(doc));
  assert.deepEqual({ ...doc.stats }, { fullScans: 1, elementScans: 1, contestedUsers: 0 });
});

test('a duplicate identifier that appears or disappears elsewhere is still right', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3', 'a4']));
  doc.validate();
  let text = doc.document.getText();
  // a4's primary_id becomes a1's: a4 is now the later holder and is rejected.
  let at = text.indexOf('<primary_id>a4') + '<primary_id>a'.length;
  edit(doc, at, at + 1, '1');
  let result = doc.validate();
  assert.deepEqual(result, full(doc));
  assert.equal(doc.stats.contestedUsers, 2, 'a1 and a4 share a key: only they go through the registry');
  const duplicate = result.findings.find((f) => f.rule === 'duplicate-identifier');
  assert.ok(duplicate, 'the duplicate is reported');
  assert.equal(duplicate.related[0].path, PATH);
  // a1 (the first holder) changes: the duplicate on the later user disappears.
  text = doc.document.getText();
  at = text.indexOf('<primary_id>a1') + '<primary_id>a'.length;
  edit(doc, at, at + 1, '9');
  result = doc.validate();
  assert.deepEqual(result, full(doc));
  assert.equal(result.findings.filter((f) => f.rule === 'duplicate-identifier').length, 0);
  assert.equal(doc.stats.contestedUsers, 0, 'no key is shared any more');
  assert.equal(doc.stats.fullScans, 1, 'both edits were inside a user');
});

test('lines added inside a user move the findings of the users below it', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a7', 'a1']));
  doc.validate();
  const text = doc.document.getText();
  const at = text.indexOf('<last_name>', text.indexOf('a2'));
  edit(doc, at, at, '<!-- two\nnew lines\n-->');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 1);
});

test('a root left open is reported at its start tag, before every user: each edit is then a full scan, and its findings move', () => {
  // The only findings of a user that lie before its start: re-checking one user could not place them.
  const text = usersDocument(['a1', 'a2', 'a3']).replace('</users>\n', '')
    .replace(/(<primary_id>a3<\/primary_id>)/, '$1\n    <expiry_date>never</expiry_date>');
  const doc = new IncrementalDocument(TextDocument.create('file:///work/doc.xml', 'xml', 1, text), PATH, DEFAULT_SETTINGS, undefined, 1);
  const before = doc.validate();
  assert.deepEqual(before, full(doc));
  const unclosed = before.findings.find((f) => f.rule === 'xml-syntax');
  assert.ok(unclosed && unclosed.range.start.line === 1, 'the open root is reported at its start tag');
  const dateLine = (result: DocumentResult) => result.findings.find((f) => f.rule === 'invalid-date')!.range.start.line;
  const edits: [string, string][] = [['a1', '\n'], ['a2', '\n\n'], ['a3', '\n']];
  for (const [k, [id, lines]] of edits.entries()) {
    const current = doc.document.getText();
    const at = current.indexOf('<last_name>', current.indexOf(`<primary_id>${id}<`));
    edit(doc, at, at, lines);
    assert.deepEqual(doc.validate(), full(doc), `edit ${k} in ${id}`);
    assert.equal(doc.stats.fullScans, k + 2, `edit ${k} in ${id} is a full scan`);
  }
  // a3's line comes after its date: only the three lines above it move it.
  assert.equal(dateLine(doc.validate()), dateLine(before) + 3, 'the last user\'s invalid date moved down with the lines added');
});

test('an edit outside the users, or one that leaves a user open, is a full scan; a problem inside a user is not', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3']));
  doc.validate();
  edit(doc, 0, 0, ' ');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 2);
  // A user's end tag removed: the next user would be read inside it.
  let text = doc.document.getText();
  let at = text.indexOf('</user>');
  edit(doc, at, at + 2, '');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.stats.fullScans, 3);
});

test('a well-formedness problem that stays inside a user is re-checked in that user alone', () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3']));
  doc.validate();
  // A bare "&" inside a value: reported, and the scanner leaves the user as it would anyway.
  const text = doc.document.getText();
  const at = text.lastIndexOf('<last_name>Lee') + '<last_name>'.length;
  edit(doc, at, at, '&');
  const result = doc.validate();
  assert.deepEqual(result, full(doc));
  assert.ok(result.findings.some((f) => f.rule === 'xml-syntax'));
  assert.deepEqual({ ...doc.stats }, { fullScans: 1, elementScans: 1, contestedUsers: 0 });
});

test('a comment left open inside a user, then closed by typing "-->", ends with what a full validation says', () => {
  for (const which of ['a1', 'a2', 'a3']) {
    const doc = open(usersDocument(['a1', 'a2', 'a3']));
    doc.validate();
    const text = doc.document.getText();
    const at = text.indexOf('<last_name>', text.indexOf(`<primary_id>${which}<`));
    edit(doc, at, at, '<!--');
    assert.deepEqual(doc.validate(), full(doc), `${which}: the comment runs to the end of the file`);
    for (const [k, c] of [...'-->'].entries()) {
      edit(doc, at + 4 + k, at + 4 + k, c);
      assert.deepEqual(doc.validate(), full(doc), `${which}: after typing "${'-->'.slice(0, k + 1)}"`);
    }
    assert.equal(doc.validate().findings.filter((f) => f.rule === 'xml-syntax').length, 0, `${which}: the comment is closed`);
  }
});

test('a last user that cannot be re-checked alone (text after it in the root, a stray character in its tag) does not make every edit a full scan', () => {
  const base = usersDocument(['a1', 'a2', 'a3']);
  const last = base.lastIndexOf('<user>') + '<user'.length;
  for (const text of [base.replace('</user>\n</users>', '</user>\n  stray text\n</users>'), `${base.slice(0, last)}'${base.slice(last)}`]) {
    const doc = open(text);
    doc.validate();
    const at = text.indexOf('<first_name>Ann') + '<first_name>'.length;
    edit(doc, at, at, 'B');
    assert.deepEqual(doc.validate(), full(doc));
    assert.deepEqual({ ...doc.stats }, { fullScans: 1, elementScans: 1, contestedUsers: 0 }, JSON.stringify(text.slice(-60)));
  }
});

test('a line break typed or deleted next to a CR or a LF counts the lines as LSP does: later findings do not move', () => {
  // Each user carries a finding of its own (an uncollapsed one), so a wrong shift shows in every later user.
  const base = `<users>\n${['a1', 'a2', 'a3', 'a4'].map((id) => user(id, `\n    <expiry_date>${id}</expiry_date>`)).join('')}</users>\n`;
  const cr = base.replace(/\n/g, '\r');
  const tight = cr.replace(/\r {2}<user>/g, '\r<user>');
  const crsp = base.replace(/\n/g, '\r \n');
  const cases: [string, string, number, number, string][] = [
    // A CR before a LF, or a LF after a CR, makes one line break of two: no line is added.
    ['a CR typed before a LF', base, base.indexOf('\n', base.indexOf('<first_name>')), 0, '\r'],
    ['a LF typed after a CR', cr, cr.indexOf('\r', cr.indexOf('<first_name>')) + 1, 0, '\n'],
    // The same where one user ends and the next begins: the edit belongs to the user before.
    ['a LF typed between a CR and the next <user>', tight, tight.indexOf('<user>', tight.indexOf('</user>')), 0, '\n'],
    // A space deleted between a CR and a LF: two line breaks become one.
    ['the space of CR space LF deleted', crsp, crsp.indexOf(' \n', crsp.indexOf('<first_name>')), 1, ''],
  ];
  for (const [what, text, at, length, insert] of cases) {
    const doc = open(text);
    doc.validate();
    edit(doc, at, at + length, insert);
    assert.deepEqual(doc.validate(), full(doc), what);
    assert.equal(doc.stats.fullScans, 1, `${what}: re-checked in one user`);
  }
});

test('a stray quote typed in a user\'s start tag, then deleted, leaves no finding behind', () => {
  // The scanner reports it before the tag is complete, so a whole scan files it with the gap before the user.
  const doc = open(usersDocument(['a1', 'a2', 'a3']));
  doc.validate();
  const at = doc.document.getText().indexOf('<user>', doc.document.getText().indexOf('a1')) + '<user'.length; // the second user's
  edit(doc, at, at, "'");
  assert.deepEqual(doc.validate(), full(doc));
  edit(doc, at, at + 1, '');
  assert.deepEqual(doc.validate(), full(doc));
  assert.equal(doc.validate().findings.length, 0);
});

test('a <user> root: its identifiers clash with an earlier file\'s, and the set sees them, as when the file is read from disk', async () => {
  // Reported as the wrong root and checked all the same; its children are fields, not users.
  const base = `<?xml version="1.0" encoding="UTF-8"?>\n${user('a2').trim()}\n`;
  const session = await EditSession.open(base, DEFAULT_SETTINGS, usersDocument(['a1', 'a2']));
  assert.equal(await session.check(-1), null);
  assert.equal(session.doc.users().length, 1);
  assert.ok(session.doc.validate().findings.some((f) => f.rule === 'duplicate-identifier'));
  const at = session.text.indexOf('<last_name>');
  assert.equal(await session.apply({ changes: [{ start: at, end: at, text: '<record_type>STAFF</record_type>' }], validate: true }, 0), null);
});

// -------------------------------------------------------------------------------------------
// Property: any sequence of edits gives what a full validation of the same text gives.

/**
 * Edits in the default run; ALMA_SIS_INCREMENTAL_EDITS raises it for a soak. ALMA_SIS_INCREMENTAL_SEED
 * runs only the seeds it lists instead (`7`, `7,12`, `2000-2999`): a failure prints the seed that replays it.
 */
const EDITS = Number(process.env.ALMA_SIS_INCREMENTAL_EDITS ?? 10_000);
const ONLY_SEED = process.env.ALMA_SIS_INCREMENTAL_SEED;

function seedList(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}
/** Edit actions per document before the next seed starts from a fresh one: short runs and long ones (about 1.3 changes each). */
const MIN_ACTIONS = 10;
const MAX_ACTIONS = 70;

function samplesOf(...names: string[]): { name: string; text: string }[] {
  return names.map((name) => ({ name, text: readFileSync(join(repoRoot(), 'samples', name), 'utf8') }));
}

/** Small documents (a full validation of each takes a millisecond or so), with every line end style and markup between and inside users. */
function propertyBases(): { name: string; text: string }[] {
  const plain = usersDocument(['a1', 'a2', 'a3', 'a7', 'a1', 'A2', 'b5']);
  const marked = usersDocument(['m1', 'm2', 'm3', 'm4'])
    .replace('<first_name>Ann</first_name>', '<first_name><![CDATA[Ann]]></first_name><!-- a comment -->')
    .replace(/(<user_group>Student<\/user_group>)([\s\S]*?<user_group>)/, '$1<?pi data?>$2')
    .replace('</users>', '<!-- the last user above --></users>\n<!-- after the root -->');
  return [
    { name: 'users (LF)', text: plain },
    { name: 'users (CRLF)', text: plain.replace(/\n/g, '\r\n') },
    { name: 'users (CR)', text: plain.replace(/\n/g, '\r') },
    { name: 'users with comments, CDATA and a PI', text: marked },
    { name: 'users, mixed line ends', text: marked.replace(/\n/g, (_, k: number) => ['\n', '\r\n', '\r'][k % 3]) },
    { name: 'sample of 3 users', text: sampleText({ users: 3, seed: 11 }) },
    // Near the bounds that make a document be scanned whole: 900 well-formedness problems, 48 levels.
    { name: 'users with 890 bare ampersands', text: usersDocument(['p1', 'p2', 'p3']).replace('<first_name>Ann', `<first_name>Ann${' &'.repeat(445)}`).replace(/(<last_name>Lee)(?![\s\S]*<last_name>)/, `$1${' &'.repeat(445)}`) },
    // The root's start tag is copied into every re-check: attributes (escaped values, a line break in one) must come out the same.
    { name: 'a root with attributes', text: plain.replace('<users>', '<users xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" note="a&amp;b &lt; &quot;é\'">') },
    { name: 'a root with a line break in an attribute', text: plain.replace('<users>', '<users\n  note="two\nlines">') },
    ...samplesOf('invalid/bom.xml'),
    { name: 'a <user> root', text: `<?xml version="1.0" encoding="UTF-8"?>\n${user('a2').trim()}\n` },
    { name: 'a user nested 45 deep', text: usersDocument(['n1', 'n2', 'n3']).replace('<last_name>Lee</last_name>', `${'<x>'.repeat(45)}${'</x>'.repeat(45)}<last_name>Lee</last_name>`) },
    ...samplesOf('valid/users-v2.xml', 'invalid/common-mistakes.xml', 'invalid/duplicate-identifier.xml', 'valid/users-v1.xml',
      'invalid/unexpected-text.xml', 'invalid/root-element-userRecords.xml', 'invalid/xml-syntax.xml', 'valid/researchers-v2.xml'),
  ];
}

const PROPERTY_SETTINGS: ValidationSettings[] = [
  DEFAULT_SETTINGS,
  { rules: { 'profile-field': 'off' }, strict: true, matchIdType: 'BARCODE' },
  { rules: { 'duplicate-identifier': 'warning', 'xml-syntax': 'info' }, strict: false, xsdVersion: 2, usedFor: 'researchers' },
];

/**
 * Files loaded before the document in its set (the language server's folder): their identifiers
 * clash with the bases' (exactly, and in case only), or their version differs.
 */
function earlierFiles(): (string | null)[] {
  return [null, usersDocument(['a2', 'e1', 'A3', 'm2', 'p1']), samplesOf('valid/users-v1.xml')[0].text];
}

test('property: random edit sequences (markup opened and closed, CR and LF, users pasted, tags deleted...) always give the full validation\'s result', async (t) => {
  const bases = propertyBases();
  const earlier = earlierFiles();
  const seeds = ONLY_SEED ? seedList(ONLY_SEED) : null;
  let edits = 0;
  let validations = 0;
  let elementScans = 0;
  let seedsRun = 0;
  for (let n = 0; seeds ? n < seeds.length : edits < EDITS; n++, seedsRun++) {
    const seed = seeds ? seeds[n] : n + 1;
    const random = seededRandom(seed);
    const base = bases[seed % bases.length];
    const settings = PROPERTY_SETTINGS[Math.floor(seed / bases.length) % PROPERTY_SETTINGS.length];
    // One document in four is the second file of a set.
    const first = seed % 4 === 3 ? earlier[1 + (Math.floor(seed / 4) % (earlier.length - 1))] : null;
    // Blocks of folded findings of 1, 2 or 3 users as well as the real size, so that block edges fall between the users of small documents.
    const blockElements = [undefined, 1, 2, 3][Math.floor(seed / 4) % 4];
    const session = await EditSession.open(base.text, settings, first, blockElements);
    const steps: Step[] = [];
    let failure = await session.check(-1);
    const actions = MIN_ACTIONS + Math.floor(random() * (MAX_ACTIONS - MIN_ACTIONS + 1));
    for (let action = 0; !failure && action < actions; action++) {
      const next = randomAction(session.text, random, session.undo, session.lastWasFull);
      // Now and then the settings change (the configuration file was edited), or the earlier file of the set.
      if (random() < 0.02) next[0].settings = PROPERTY_SETTINGS[Math.floor(random() * PROPERTY_SETTINGS.length)];
      if (random() < 0.02) next[0].earlier = earlier[Math.floor(random() * earlier.length)];
      for (const step of next) {
        if (action === actions - 1) step.validate = true; // the sequence ends with a validation
        steps.push(step);
        failure = await session.apply(step, steps.length - 1);
        // An undo takes its change off the stack (with the inverse of the undo itself).
        if (step.what === 'undo') session.undo.splice(-2, 2);
        edits += step.changes.length;
        if (failure) break;
      }
    }
    validations += session.validations;
    elementScans += session.doc.stats.elementScans;
    if (failure) {
      const shrunk = await shrink(base.text, settings, steps, first, blockElements);
      assert.fail([
        `seed ${seed} (ALMA_SIS_INCREMENTAL_SEED=${seed} replays it): base "${base.name}", settings ${JSON.stringify(settings)}${first === null ? '' : ', after an earlier file of the set'}${blockElements ? `, blocks of ${blockElements} users` : ''}`,
        `disagreement after step ${shrunk.failure.step} of ${shrunk.steps.length} (shrunk from the ${failure.step + 1} steps that led to it):`,
        shrunk.failure.message,
        `steps: ${JSON.stringify(shrunk.steps)}`,
        `text: ${JSON.stringify(shrunk.failure.text.length > 4000 ? `${shrunk.failure.text.slice(0, 4000)}...` : shrunk.failure.text)}`,
      ].join('\n'));
    }
  }
  t.diagnostic(`${edits} edits, ${validations} validations (${elementScans} user re-checks), seeds ${ONLY_SEED ?? `1-${seedsRun}`}`);
  if (!seeds) assert.ok(edits >= EDITS, `${edits} edits`);
  // Most validations must take the incremental path, or the property says little about it.
  assert.ok(elementScans > validations / 4, `the incremental path ran (${elementScans} element re-checks in ${validations} validations)`);
});

test('a recorded edit sequence replays to the same text and the same verdict', async () => {
  const base = usersDocument(['a1', 'a2']);
  const random = seededRandom(5);
  const steps: Step[] = [];
  const session = await EditSession.open(base, DEFAULT_SETTINGS);
  for (let k = 0; k < 30; k++) {
    for (const step of randomAction(session.text, random, session.undo, session.lastWasFull)) {
      steps.push(step);
      assert.equal(await session.apply(step, steps.length - 1), null);
    }
  }
  assert.equal(await replay(base, DEFAULT_SETTINGS, steps), null);
  const again = await EditSession.open(base, DEFAULT_SETTINGS);
  for (const [k, step] of steps.entries()) await again.apply({ ...step, validate: false }, k);
  assert.equal(again.text, session.text);
});

test('shrinking keeps a sequence failing and drops the steps the failure does not need', async () => {
  // A stand-in for a disagreement: it shows once an "X" and later a "Y" were inserted, whatever else happened.
  const insert = (text: string): Step => ({ changes: [{ start: 0, end: 0, text }], validate: true });
  const steps = ['a', 'b', 'X', 'c', 'd', 'e', 'Y', 'f', 'g'].map(insert);
  const run = async (candidate: Step[]): Promise<Failure | null> => {
    let sawX = false;
    for (const [k, step] of candidate.entries()) {
      if (step.changes.some((c) => c.text === 'X')) sawX = true;
      if (sawX && step.changes.some((c) => c.text === 'Y')) return { step: k, message: 'X then Y', text: '' };
    }
    return null;
  };
  const shrunk = await shrinkSteps(steps, run);
  assert.deepEqual(shrunk.steps.map((s) => s.changes[0].text), ['X', 'Y']);
  assert.equal(shrunk.failure.step, 1);
  await assert.rejects(shrinkSteps([insert('a')], run), /does not fail/);
});

// A whole scan in slices (the language server's, so that it answers while a big document is scanned).

const noPause = (): Promise<void> => Promise.resolve();

test('a whole scan in slices of any size gives the one-piece result: samples, mutants, and 4-byte characters at every cut', async () => {
  const random = seededRandom(fuzzSeed());
  const texts: [string, string][] = sampleFiles().map((f) => [f.name, f.bytes.toString('utf8')]);
  for (let k = 0; k < 200; k++) {
    const m = mutant(sampleFiles(), fuzzSeed(), k);
    texts.push([describeMutant(m), m.bytes.toString('utf8')]);
  }
  const emoji = usersDocument(['a1', 'b2']).replace(/Ann/g, 'A\u{1F600}n\u{10348}').replace('Lee', 'L\u00e9e\r\n');
  texts.push(['4-byte characters', emoji]);
  for (const [name, text] of texts) {
    const whole = open(text).validate();
    const slice = name === '4-byte characters' ? 1 : 1 + Math.floor(random() * 400);
    const sliced = await open(text).validateInSlices(noPause, slice);
    assert.deepEqual(sliced, whole, `${name}, slices of ${slice} characters`);
  }
  for (let slice = 1; slice <= 12; slice++) assert.deepEqual(await open(emoji).validateInSlices(noPause, slice), open(emoji).validate(), `4-byte characters, slices of ${slice}`);
});

test('an edit or new settings while a sliced scan waits make it give up (null); the next validation is the full one of the new text', async () => {
  const text = usersDocument(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  for (const change of ['edit', 'settings'] as const) {
    const doc = open(text);
    let pauses = 0;
    const pause = async (): Promise<void> => {
      if (++pauses === 3) {
        if (change === 'edit') edit(doc, text.indexOf('a4'), text.indexOf('a4') + 2, 'a1');
        else doc.reconfigure({ ...DEFAULT_SETTINGS, rules: { 'duplicate-identifier': 'warning' } });
      }
    };
    assert.equal(await doc.validateInSlices(pause, 64), null, `${change}: the scan under way is stale`);
    const settings = change === 'settings' ? { ...DEFAULT_SETTINGS, rules: { 'duplicate-identifier': 'warning' as const } } : DEFAULT_SETTINGS;
    const again = await doc.validateInSlices(noPause, 64);
    assert.deepEqual(again, full(doc, settings), `${change}: then the new text or settings`);
    if (change === 'edit') assert.ok(again!.findings.some((f) => f.rule === 'duplicate-identifier'), 'the duplicate the edit planted is found');
  }
});

test('validations that overlap with no edit between them share one sliced scan', async () => {
  const doc = open(usersDocument(['a1', 'a2', 'a3', 'a4']));
  const [first, second] = await Promise.all([doc.validateInSlices(() => new Promise((r) => setImmediate(r)), 50), doc.validateInSlices(noPause, 50)]);
  assert.equal(doc.stats.fullScans, 1);
  assert.deepEqual(first, full(doc));
  assert.deepEqual(second, first);
  // Then an edit inside a user is re-checked alone, as after a one-piece scan.
  const text = doc.document.getText();
  edit(doc, text.indexOf('a3'), text.indexOf('a3') + 2, 'a9');
  assert.deepEqual(await doc.validateInSlices(noPause, 50), full(doc));
  assert.equal(doc.stats.fullScans, 1);
});

/**
 * User i of a document where every cap and collapse of the collector is reached across several of
 * the incremental document's blocks of users: a collapsed info on every user, a collapsed error that
 * rejects most users (more places than a report lists), a collapsed error with a new message per user
 * (more firsts than the rule's cap), an identifier clash on every odd user (added between the
 * blocks' folded findings), a case clash on every odd user, an empty identifier on every even one,
 * and in all more listed findings than the document's cap. Users 15, 45, 75... are rejected only by
 * their clash.
 */
function cappedUser(i: number): string {
  const expiry = i % 5 === 0 ? '2030-01-01' : 'never';
  const birth = i % 3 === 0 ? '' : `\n    <birth_date>bad${i}</birth_date>`;
  const other = i % 2 === 0 ? `X${i}` : `x${i - 1}`;
  const value = i % 2 === 0 && i % 15 !== 0 ? '' : `B${i}`;
  return `  <user>\n    <record_type>PUBLIC</record_type>\n    <primary_id>P${Math.floor(i / 2)}</primary_id>\n    <first_name>Ann</first_name>\n    <last_name>Lee</last_name>\n    <user_group>Student</user_group>\n    <expiry_date>${expiry}</expiry_date>${birth}\n    <pin_number>p${i}</pin_number>\n    <user_identifiers>\n      <user_identifier segment_type="External">\n        <id_type>BARCODE</id_type>\n        <value>${value}</value>\n      </user_identifier>\n      <user_identifier segment_type="External">\n        <id_type>OTHER_ID_1</id_type>\n        <value>${other}</value>\n      </user_identifier>\n    </user_identifiers>\n  </user>\n`;
}

test('a document past every cap, over many blocks of users: edits anywhere give the full validation\'s findings, places and rejected users', async () => {
  const base = `<?xml version="1.0" encoding="UTF-8"?>\n<users>\n${Array.from({ length: 2600 }, (_, i) => cappedUser(i)).join('')}</users>\n`;
  const session = await EditSession.open(base, DEFAULT_SETTINGS);
  assert.equal(await session.check(-1), null);
  const first = validateText(session.text, PATH, DEFAULT_SETTINGS);
  const notices = first.findings.filter((f) => f.omitted).map((f) => f.rule).sort();
  assert.deepEqual(notices, ['duplicate-identifier', 'empty-identifier', 'identifier-case', 'invalid-date', 'pin-format'], 'every rule past its cap');
  assert.ok(first.findings.some((f) => f.places?.length === 1000), 'a collapsed error lists as many places as a report may');
  /** The offset of `what` in user i's text. */
  const inUser = (i: number, what: string) => {
    let at = session.text.indexOf('<user>\n');
    for (let k = 0; k < i; k++) at = session.text.indexOf('<user>\n', at + 1);
    return session.text.indexOf(what, at);
  };
  const edits: { what: string; at: () => number; length: number; text: string }[] = [
    { what: 'a line added in user 10 moves every block after it', at: () => inUser(10, '<last_name>'), length: 0, text: '\n' },
    // The first user of a block: the last of the block before it is placed where it is now, its findings replaced.
    { what: 'user 768\'s expiry date made valid: one place fewer in the collapsed error', at: () => inUser(768, 'never'), length: 5, text: '2031-02-03' },
    { what: 'user 1501 no longer repeats user 1500\'s primary_id', at: () => inUser(1501, '<primary_id>') + '<primary_id>'.length, length: 0, text: 'Q' },
    { what: 'user 4 repeats user 2\'s birth date: the collapsed error gains a place', at: () => inUser(4, 'bad4'), length: 4, text: 'bad2' },
    { what: 'user 2 (the first with that date) fixed: user 4 holds the first place now', at: () => inUser(2, 'bad2'), length: 4, text: '2001-01-01' },
    { what: 'user 300 gains an empty identifier', at: () => inUser(300, '>B300<') + 1, length: 4, text: '' },
    { what: 'user 1800 gets user 1802\'s primary_id: a new clash in a later block', at: () => inUser(1800, '<primary_id>P900') + '<primary_id>P'.length, length: 3, text: '901' },
    { what: 'two lines removed from user 5: every block after it moves up', at: () => inUser(5, '\n    <first_name>'), length: '\n    <first_name>Ann</first_name>'.length, text: '' },
    { what: 'a space before user 1024\'s start tag moves its first line', at: () => inUser(1024, '<user>'), length: 0, text: ' ' },
    { what: 'user 2599 (the last) loses its record_type', at: () => inUser(2599, '    <record_type>'), length: '    <record_type>PUBLIC</record_type>\n'.length, text: '' },
  ];
  for (const [k, e] of edits.entries()) {
    const start = e.at();
    assert.ok(start > 0, e.what);
    const failure = await session.apply({ changes: [{ start, end: start + e.length, text: e.text }], validate: true, what: e.what }, k);
    assert.equal(failure, null, `${e.what}: ${failure?.message}`);
    assert.equal(session.lastWasFull, false, `${e.what}: re-checked in one user`);
  }
});
