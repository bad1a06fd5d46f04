import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, Severity } from '../../../server/src/engine/rules/finding';
import type { RuleId } from '../../../server/src/engine/rules/ruleTable';
import { FindingCollector, KeptRun, MAX_FINDINGS_PER_DOCUMENT, MAX_FINDINGS_PER_RULE, type KeptPlacement, type KeptSlot } from '../../../server/src/engine/validation/findingCollector';
import type { Range } from '../../../server/src/engine/text/span';
import { mulberry32 } from '../../../server/src/engine/samples/sampleGenerator';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { validateText } from '../../../server/src/engine/validation/validateDocument';

function at(line: number, rule: RuleId, message: string, severity: Severity = 'error'): Finding {
  return { rule, severity, message, range: { start: { line, character: 0 }, end: { line, character: 1 } }, related: [] };
}

describe('FindingCollector', () => {
  it('collapses a collapsible rule\'s findings with the same words into the first, counting the others', () => {
    const collector = new FindingCollector();
    for (let line = 10; line < 15; line++) collector.add(at(line, 'profile-field', '<record_type> is set by the profile.', 'info'));
    collector.add(at(3, 'profile-field', '<external_id> is set by the profile.', 'info'));
    const [first, second] = collector.finish();
    assert.equal(first.message, '<external_id> is set by the profile.');
    assert.equal(first.occurrences, undefined);
    assert.equal(second.message, '<record_type> is set by the profile. (The same in 4 more places in this file, not listed.)');
    assert.equal(second.occurrences, 5);
    assert.equal(second.range.start.line, 10);
  });

  it('keeps findings of the same words apart when their severities differ', () => {
    const collector = new FindingCollector();
    collector.add(at(1, 'not-loaded', '<password> x', 'info'));
    collector.add(at(2, 'not-loaded', '<password> x', 'warning'));
    assert.equal(collector.finish().length, 2);
  });

  it('lists every finding of a rule that rejects a particular user, up to the cap', () => {
    const collector = new FindingCollector();
    for (let line = 0; line < 5; line++) collector.add(at(line, 'duplicate-identifier', 'barcode "1" is already used.'));
    assert.equal(collector.finish().length, 5);
  });

  it('caps each rule, then ends it with one notice that counts what was left out, at the first left out', () => {
    const collector = new FindingCollector();
    const n = MAX_FINDINGS_PER_RULE + 57;
    for (let line = 0; line < n; line++) collector.add(at(line, 'xml-syntax', `problem ${line}`));
    assert.equal(collector.isFull('xml-syntax'), true);
    assert.equal(collector.isFull('pin-format'), false);
    const findings = collector.finish();
    assert.equal(findings.length, MAX_FINDINGS_PER_RULE + 1);
    const notice = findings[findings.length - 1];
    assert.equal(notice.omitted, 57);
    assert.equal(notice.range.start.line, MAX_FINDINGS_PER_RULE);
    assert.match(notice.message, /^57 more xml-syntax findings from here on are not listed/);
  });

  it('caps the document as a whole', () => {
    const collector = new FindingCollector();
    const rules: RuleId[] = ['xml-syntax', 'encoding', 'invalid-char', 'duplicate-identifier', 'identifier-case', 'duplicate-identifier-in-user', 'empty-identifier', 'missing-match-id', 'bom', 'doctype', 'root-element', 'v1-deprecated'];
    let line = 0;
    for (const rule of rules) for (let k = 0; k < MAX_FINDINGS_PER_RULE; k++) collector.add(at(line++, rule, `m${line}`));
    const findings = collector.finish();
    const listed = findings.filter((f) => f.omitted === undefined);
    assert.equal(listed.length, MAX_FINDINGS_PER_DOCUMENT);
    const omitted = findings.reduce((sum, f) => sum + (f.omitted ?? 0), 0);
    assert.equal(listed.length + omitted, rules.length * MAX_FINDINGS_PER_RULE);
  });
});

/** Moves a kept finding `lines` down, as an edit above the user it came from does. */
class LinesDown implements KeptPlacement {
  constructor(private readonly lines: number) {}
  range(r: Range): Range {
    return { start: { line: r.start.line + this.lines, character: r.start.character }, end: { line: r.end.line + this.lines, character: r.end.character } };
  }
  finding(f: Finding): Finding {
    return { ...f, range: this.range(f.range) };
  }
}

/** What a random document's users report: findings before and after each one's identifiers, and its clashes between. */
interface KeptUser {
  before: Finding[];
  clashes: Finding[];
  after: Finding[];
  placed: KeptPlacement | undefined;
}

function randomUsers(random: () => number, count: number, perUser: number): KeptUser[] {
  // Few messages for the collapsing rules, so that they repeat across users, and some new ones, so
  // that their firsts pass the rule's cap; words that repeat only among neighbours (0: first seen
  // once the rule is capped, then repeated); errors and warnings of the same words; plain findings
  // enough for the rule's and the document's caps.
  const kinds: { rule: RuleId; severity: Severity; words: number }[] = [
    { rule: 'profile-field', severity: 'info', words: 3 },
    { rule: 'invalid-date', severity: 'error', words: 1 },
    { rule: 'invalid-boolean', severity: 'error', words: 5 },
    { rule: 'invalid-date', severity: 'warning', words: 2 },
    { rule: 'pin-format', severity: 'warning', words: 1e9 },
    { rule: 'pin-format', severity: 'warning', words: 0 },
    { rule: 'max-length', severity: 'error', words: 1e9 },
    { rule: 'empty-identifier', severity: 'error', words: 1e9 },
    { rule: 'xml-syntax', severity: 'error', words: 1e9 },
  ];
  const users: KeptUser[] = [];
  let line = 0;
  for (let i = 0; i < count; i++) {
    const user = random() < 0.9 ? { primaryId: `u${i}` } : undefined;
    const finding = (rule: RuleId, severity: Severity, message: string): Finding => {
      const start = { line: ++line, character: Math.floor(random() * 40) };
      return { rule, severity, message, range: { start, end: { line: start.line, character: start.character + 3 } }, related: [], ...(user ? { user } : {}) };
    };
    const some = (n: number) => Array.from({ length: Math.floor(random() * (n + 1)) }, () => {
      const kind = kinds[Math.floor(random() * kinds.length)];
      const words = kind.words === 0 ? `near ${Math.floor(i / 40)}` : Math.floor(random() * Math.min(kind.words, 1e6));
      return finding(kind.rule, kind.severity, `${kind.rule} words ${words}`);
    });
    const clashes = random() < 0.3 ? Array.from({ length: 1 + Math.floor(random() * 2) }, () => finding(random() < 0.7 ? 'duplicate-identifier' : 'identifier-case', random() < 0.7 ? 'error' : 'warning', `clash ${i}`)) : [];
    users.push({ before: some(perUser), clashes, after: some(1), placed: random() < 0.5 ? undefined : new LinesDown(Math.floor(random() * 5) - 2) });
  }
  return users;
}

describe('KeptRun and addRun', () => {
  it('give what addKept of each finding and add of each clash give, in document order, for runs of any length (caps, repeats, places, rejected users)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const users = randomUsers(random, seed % 4 === 0 ? 8000 : 20 + Math.floor(random() * 400), seed % 4 === 0 ? 4 : 1 + (seed % 5));
      const one = new FindingCollector();
      for (const user of users) {
        for (const f of user.before) one.addKept(f, user.placed);
        for (const f of user.clashes) one.add(f);
        for (const f of user.after) one.addKept(f, user.placed);
      }
      const runs = new FindingCollector();
      const length = 1 + Math.floor(random() * 300);
      for (let from = 0; from < users.length; from += length) {
        const run = new KeptRun<number>();
        const slots: KeptSlot[] = [];
        for (let i = from; i < Math.min(users.length, from + length); i++) {
          for (const f of users[i].before) run.add(f, i, 2 * i);
          for (const f of users[i].after) run.add(f, i, 2 * i + 1);
          if (users[i].clashes.length > 0) slots.push({ at: 2 * i + 1, findings: () => users[i].clashes });
        }
        runs.addRun(run.seal(), (i) => users[i].placed, slots);
      }
      const want = { findings: one.finish(), rejected: one.rejectedUsers() };
      assert.deepEqual({ findings: runs.finish(), rejected: runs.rejectedUsers() }, want, `seed ${seed}, runs of ${length}`);
      if (seed % 4 === 0) assert.ok(want.findings.some((f) => f.omitted) && want.findings.some((f) => (f.places?.length ?? 0) >= MAX_FINDINGS_PER_RULE), `seed ${seed} reaches the caps`);
    }
  });
});

describe('findings without bound in the input', () => {
  it('a million unknown elements end as a few findings, in linear work', () => {
    const body = '<x/>'.repeat(200_000);
    const result = validateText(`<users>${body}</users>`, 'many.xml', DEFAULT_SETTINGS);
    assert.ok(result.findings.length <= MAX_FINDINGS_PER_RULE + 2, `${result.findings.length} findings`);
    const unknown = result.findings.find((f) => f.rule === 'unknown-element');
    assert.equal(unknown?.occurrences, 200_000);
  });

  it('quotes a 1 MiB primary_id in messages as a short excerpt', () => {
    const huge = 'P'.repeat(1 << 20);
    const users = [`<user><primary_id>${huge}</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>B1</value></user_identifier></user_identifiers></user>`];
    for (let k = 0; k < 300; k++) users.push(`<user><primary_id>u${k}</primary_id><user_identifiers><user_identifier><id_type>BARCODE</id_type><value>B1</value></user_identifier></user_identifiers></user>`);
    const result = validateText(`<users>${users.join('')}</users>`, 'amplify.xml', DEFAULT_SETTINGS);
    const duplicates = result.findings.filter((f) => f.rule === 'duplicate-identifier');
    assert.ok(duplicates.length > 100);
    const longest = Math.max(...result.findings.flatMap((f) => [f.message.length, ...f.related.map((r) => r.message.length)]));
    assert.ok(longest < 1000, `a message of ${longest} characters`);
    assert.match(duplicates[0].message, /user PPPP+…/);
  });

  it('text split by comments piles up only to the kept prefix, and the length is still right', () => {
    const piece = 'a'.repeat(1000);
    const pieces = Array.from({ length: 1500 }, () => piece).join('<!---->');
    const result = validateText(`<users><user><primary_id>${pieces}</primary_id></user></users>`, 'split.xml', DEFAULT_SETTINGS);
    const long = result.findings.find((f) => f.rule === 'max-length');
    assert.ok(long, JSON.stringify(result.findings.map((f) => f.rule)));
  });
});

describe('positions far along one line', () => {
  it('a duplicated element past column 2^21 on a one-line file points back at the first one exactly', () => {
    const padding = `<job_description>${'x'.repeat(200)}</job_description>`;
    // Many users on one line push the duplicated child far right; the first stays in the same user.
    const filler = Array.from({ length: 11_000 }, (_, k) => `<user><primary_id>p${k}</primary_id>${padding}</user>`).join('');
    const last = '<user><primary_id>last</primary_id><user_group>A</user_group><user_group>B</user_group></user>';
    const text = `<users>${filler}${last}</users>`;
    const firstGroup = text.indexOf('<user_group>') + 1;
    assert.ok(firstGroup > 1 << 21, `column ${firstGroup}`);
    const result = validateText(text, 'one-line.xml', DEFAULT_SETTINGS);
    const duplicate = result.findings.find((f) => f.rule === 'duplicate-element');
    assert.ok(duplicate, JSON.stringify(result.findings.map((f) => f.rule)));
    assert.deepEqual(duplicate.related[0].range.start, { line: 0, character: firstGroup });
    assert.equal(duplicate.range.start.character, text.indexOf('<user_group>', firstGroup) + 1);
  });
});
