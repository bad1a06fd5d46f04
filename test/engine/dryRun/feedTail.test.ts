// A big feed whose tail is read by the baseline's side (engine/dryRun/inputTail.ts) must give
// exactly the report of one read: the same outcomes, reasons, details, lines, columns and changes,
// in the same order. Every case runs both ways and compares the JSON report; the tail is read on
// this thread (onThisThread), then, for a few, on the worker of the built bundle (dist/dryRunWorker.js).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { dryRun, tailStart, type DryRunOptions, type FeedSplitOptions } from '../../../server/src/engine/dryRun/dryRun';
import { WORKER_SCRIPT } from '../../../server/src/engine/dryRun/baselineIndex';
import { dryRunJson } from '../../../server/src/engine/dryRun/formatReport';
import { randomFor, type Random } from '../../helpers/userFileMutator';
import { repoRoot } from '../../helpers/repoRoot';
import { identifier, tmpFolder } from './fixtures';

const dir = tmpFolder();
let written = 0;

function write(text: string): string {
  const path = join(dir, `f${++written}.xml`);
  writeFileSync(path, text);
  return path;
}

interface Compared {
  serial: string;
  split: string;
  decisions: string[];
}

/** The report (or the error) of a run, as text. */
async function reportOf(run: Promise<unknown>): Promise<string> {
  try {
    const report = await run;
    return [...dryRunJson(report as Parameters<typeof dryRunJson>[0])].join('');
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

async function both(feedText: string, exportText: string, split: FeedSplitOptions, options: Partial<DryRunOptions> = {}): Promise<Compared> {
  const feedPath = write(feedText);
  const exportPath = write(exportText);
  const inputs = (await expandInputs([feedPath])).documents;
  const baseline = (await expandInputs([exportPath])).documents;
  const base: DryRunOptions = { settings: DEFAULT_SETTINGS, baselinePaths: [exportPath], ...options };
  const serial = await reportOf(dryRun(inputs, baseline, { ...base, split: false }));
  const decisions: string[] = [];
  const halves = await reportOf(dryRun(inputs, baseline, { ...base, split: { minBytes: 0, ...split, onDecision: (_path, decision) => decisions.push(decision) } }));
  return { serial, split: halves, decisions };
}

function same(compared: Compared, what: string): void {
  if (compared.split !== compared.serial) {
    assert.fail(`${what}: the split report differs from one read's (${compared.decisions.join('; ')})\none read: ${compared.serial.slice(0, 3000)}\nsplit:    ${compared.split.slice(0, 3000)}`);
  }
}

/** A user in the bench's shape: names (some not ASCII), a group, identifiers, a date, an address. */
function userXml(random: Random, primary: string | null, fields: { group?: string; barcode?: string; other?: string; account?: string; expiry?: string; name?: string }, nl: string): string {
  const parts = [`  <user>`];
  if (primary !== null) parts.push(`    <primary_id>${primary}</primary_id>`);
  parts.push(`    <first_name>${fields.name ?? 'Ana'}</first_name>`, `    <last_name>${random.pick(['Ngata', 'Łukasz', '山田', 'O&apos;Brien'])}</last_name>`);
  if (fields.account) parts.push(`    <account_type>${fields.account}</account_type>`);
  parts.push(`    <user_group>${fields.group ?? 'UG'}</user_group>`);
  if (fields.expiry) parts.push(`    <expiry_date>${fields.expiry}</expiry_date>`);
  const ids = [fields.barcode && identifier('BARCODE', fields.barcode), fields.other && identifier('OTHER', fields.other)].filter(Boolean);
  if (ids.length > 0) parts.push(`    ${ids.join('').replace(/<\/user_identifiers><user_identifiers>/g, '')}`);
  parts.push('    <contact_info><emails><email preferred="true"><email_address>a@b.c</email_address><email_types><email_type>personal</email_type></email_types></email></emails></contact_info>');
  parts.push('  </user>');
  return parts.join(nl);
}

/** An export of `count` users and a feed that holds every outcome and reason, spread over the whole feed. */
function pair(random: Random, count: number, crlf = false): { feed: string; exported: string } {
  const nl = crlf ? '\r\n' : '\n';
  const exported: string[] = [];
  for (let k = 0; k < count; k++) {
    exported.push(userXml(random, `u${k}`, { barcode: `B${k}`, account: k % 17 === 0 ? 'INTERNAL' : 'EXTERNAL', expiry: '2030-01-01' }, nl));
  }
  const feed: string[] = [];
  const seen: string[] = [];
  for (let k = 0; k < count; k++) {
    const roll = random.int(100);
    let primary: string | null = `u${k}`;
    const fields: Parameters<typeof userXml>[2] = { barcode: `B${k}`, account: k % 17 === 0 ? 'INTERNAL' : 'EXTERNAL', expiry: '2030-01-01' };
    if (roll < 10) fields.group = 'PG'; // updated
    else if (roll < 12) {
      primary = `n${k}`; // new
      fields.barcode = `N${k}`;
    } else if (roll < 15) primary = `n${k}`; // new, but its barcode is an existing user's
    else if (roll < 18 && seen.length > 0) primary = random.pick(seen).toUpperCase(); // in the feed already (case aside)
    else if (roll < 21) primary = null; // no match identifier
    else if (roll < 24) fields.expiry = '2030-02-30'; // invalid
    else if (roll < 27) fields.other = `B${random.int(count)}`; // another existing user's barcode
    else if (roll < 29) fields.barcode = `X${k}`; // new barcode: updated
    if (primary !== null) seen.push(primary);
    feed.push(userXml(random, primary, fields, nl));
  }
  const file = (users: string[]) => `<?xml version="1.0" encoding="UTF-8"?>${nl}<users>${nl}${users.join(nl)}${nl}</users>${nl}`;
  return { feed: file(feed), exported: file(exported) };
}

describe('a feed read in two parts by the dry-run', () => {
  it('gives the baseline\'s side half of what is left and of the waiting users\' replay, and nothing when too little is left', () => {
    assert.equal(tailStart(1000, 0, 0), 500);
    assert.equal(tailStart(1001, 0, 0), 501);
    // 400 left, and the 600 read so far wait to be replayed here at a twentieth of their cost: (400 + 30) / 2 for the other side.
    assert.equal(tailStart(1000, 600, 0), 785);
    // Never more than is left, however much waits.
    assert.equal(tailStart(1000, 999, 0), 999);
    assert.equal(tailStart(1000, 1000, 0), null);
    assert.equal(tailStart(1000, 0, 600), null);
    assert.equal(tailStart(100 << 20, 90 << 20), null); // (10 + 4.5) / 2 = 7.25 MiB for the other side: under the 8 MiB worth posting
    assert.equal(tailStart(100 << 20, 80 << 20), 88 << 20); // (20 + 4) / 2 = 12 MiB
    assert.equal(tailStart(100 << 20, 70 << 20), 333 << 18); // (30 + 3.5) / 2 = 16.75 MiB
  });

  it('chooses the cut when the baseline is read, from where the feed\'s read is then', async () => {
    // A feed of several read chunks and an export of a fraction of one: the export is read while the feed is early.
    const random = randomFor(20261207, 40);
    const { feed } = pair(random, 12000);
    const { exported } = pair(randomFor(20261207, 41), 300);
    assert.ok(feed.length > 4 << 20, String(feed.length));
    const compared = await both(feed, exported, { onThisThread: true });
    assert.deepEqual(compared.decisions, ['split']);
    same(compared, 'cut chosen when the baseline was read');
    // Read before the baseline (a feed of one chunk, a big export): no tail, one thread.
    const late = await both(pair(randomFor(20261207, 42), 300).feed, pair(randomFor(20261207, 43), 6000).exported, { onThisThread: true });
    assert.deepEqual(late.decisions, ['one thread: the feed was read before the baseline']);
    same(late, 'feed read before the baseline');
  });

  for (const [index, share] of [0.1, 0.35, 0.5, 0.8].entries()) {
    for (const crlf of [false, true]) {
      it(`reports what one read reports, the tail ${share * 100}% of the feed${crlf ? ', CRLF lines' : ''}`, async () => {
        const random = randomFor(20261207, index * 2 + (crlf ? 1 : 0));
        const { feed, exported } = pair(random, 1200, crlf);
        const compared = await both(feed, exported, { tailShare: share, onThisThread: true });
        assert.deepEqual(compared.decisions, ['split']);
        same(compared, `share ${share}`);
        const report = JSON.parse(compared.split) as { users: { outcome: string; reason: string | null; line: number }[] };
        // Every outcome and reason is planted in the last tenth of the feed, so in every tail.
        const reasons = new Set(report.users.slice(Math.floor(report.users.length * 0.9)).map((u) => u.reason ?? u.outcome));
        for (const r of ['new', 'updated', 'unchanged', 'duplicate-in-feed', 'missing-match-id', 'invalid', 'identifier-taken', 'internal-user']) assert.ok(reasons.has(r), `${r} missing`);
      });
    }
  }

  it('matched by an identifier type, and with matches that must be rejected', async () => {
    const { feed, exported } = pair(randomFor(20261207, 50), 800);
    const settings: ValidationSettings = { ...DEFAULT_SETTINGS, matchIdType: 'BARCODE' };
    same(await both(feed, exported, { tailShare: 0.4, onThisThread: true }, { settings, unmatched: 'reject' }), 'BARCODE, unmatched rejected');
    same(await both(feed, exported, { tailShare: 0.4, onThisThread: true }, { mode: 'import' }), 'import');
  });

  const unsplittable: [string, (feed: string) => string, RegExp][] = [
    ['text directly in the root', (f) => replaceLate(f, '  <user>', 'stray text\n  <user>'), /^one thread: text directly in the root$/],
    ['another element in the root', (f) => replaceLate(f, '  <user>', '  <note>x</note>\n  <user>'), /^one thread: another element than a user directly in the root$/],
    ['a well-formedness error', (f) => replaceLate(f, '<user_group>', '<user_group><'), /^one thread: a well-formedness problem$/],
    ['an unclosed root', (f) => f.replace(/<\/users>\s*$/, ''), /^one thread: a well-formedness problem$/],
  ];
  for (const [what, spoil, decision] of unsplittable) {
    it(`reads on by itself from the cut, to the same report, for ${what} in the tail`, async () => {
      const { feed, exported } = pair(randomFor(20261207, 60), 600);
      const compared = await both(spoil(feed), exported, { tailShare: 0.5, onThisThread: true });
      assert.equal(compared.decisions.length, 1);
      assert.match(compared.decisions[0], decision);
      same(compared, what);
    });
  }

  it('reads on by itself when the cut falls inside a comment', async () => {
    const { feed, exported } = pair(randomFor(20261207, 70), 600);
    const lines = feed.split('\n');
    const from = Math.floor(lines.length * 0.45);
    lines.splice(from, 0, '<!--');
    lines.splice(Math.floor(lines.length * 0.6), 0, '-->');
    const compared = await both(lines.join('\n'), exported, { tailShare: 0.5, onThisThread: true });
    assert.deepEqual(compared.decisions, ['one thread: the cut is not between users of the root']);
    same(compared, 'a comment across the cut');
  });

  it('reads a small feed on one thread, and a big one when the export is not read on a worker or is v1', async () => {
    const { feed, exported } = pair(randomFor(20261207, 80), 50);
    const small = await both(feed, exported, { minBytes: 1 << 30, onThisThread: true });
    assert.deepEqual(small.decisions, []);
    same(small, 'small feed');
    const noWorker = await both(feed, exported, {});
    assert.deepEqual(noWorker.decisions, ['one thread: the baseline is not read on a worker thread']);
    same(noWorker, 'no worker');
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    const mapped = await both(feed, v1, { tailShare: 0.5, onThisThread: true });
    assert.deepEqual(mapped.decisions, ['one thread: a side is read through the v1 to v2 mapping']);
    same(mapped, 'v1 export');
  });

  const script = join(repoRoot(), 'dist', WORKER_SCRIPT);
  it('on the worker thread of the built bundle, with the tail\'s progress counted once', { skip: !existsSync(script) && 'dist/ not built (node scripts/build.mjs)' }, async () => {
    const { feed, exported } = pair(randomFor(20261207, 90), 3000);
    const compared = await both(feed, exported, { tailShare: 0.3 }, { workerScript: script });
    assert.deepEqual(compared.decisions, ['split']);
    same(compared, 'worker');
    // The cut chosen when the worker is done with the export: whether the feed is read by then depends on the machine.
    const chosen = await both(pair(randomFor(20261207, 91), 12000).feed, exported, {}, { workerScript: script });
    assert.equal(chosen.decisions.length, 1);
    assert.match(chosen.decisions[0], /^(split|one thread: the feed was read before the baseline|one thread: the baseline was read when too little of the feed was left)$/);
    same(chosen, 'worker, cut chosen when the export was read');
    const spoiled = await both(replaceLate(feed, '  <user>', 'stray\n  <user>'), exported, { tailShare: 0.5 }, { workerScript: script });
    assert.deepEqual(spoiled.decisions, ['one thread: text directly in the root']);
    same(spoiled, 'worker, unsplittable');
    const feedPath = write(feed);
    const exportPath = write(exported);
    let last = 0;
    let total = 0;
    await dryRun((await expandInputs([feedPath])).documents, (await expandInputs([exportPath])).documents, {
      settings: DEFAULT_SETTINGS, baselinePaths: [exportPath], workerScript: script, split: { minBytes: 0, tailShare: 0.3 },
      onProgress: (p) => {
        last = Math.max(last, p.bytesDone);
        total = p.bytesTotal;
      },
    });
    assert.equal(last, total);
  });
});

/** `text` with `find` replaced at its last occurrence in the last fifth. */
function replaceLate(text: string, find: string, by: string): string {
  const at = text.indexOf(find, Math.floor(text.length * 0.8));
  assert.ok(at > 0, `${find} not found late in the feed`);
  return text.slice(0, at) + by + text.slice(at + find.length);
}
