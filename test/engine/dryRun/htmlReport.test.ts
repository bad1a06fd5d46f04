import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dryRun, dryRunHtml, dryRunMarkdown, expandInputs, DEFAULT_SETTINGS, HTML_REPORT_CSP, type DryRunReport } from '../../../server/src/engine';
import { repoRoot } from '../../helpers/repoRoot';
import { document, identifier, run, user, usersFile } from './fixtures';

/*
 * The dry-run report as one HTML page (CLI --format html, the editor's report view): it says what
 * the report holds, it escapes whatever the files hold, and it needs nothing from outside itself.
 */

async function samplePair(): Promise<DryRunReport> {
  const samples = join(repoRoot(), 'samples', 'dry-run');
  return dryRun((await expandInputs([join(samples, 'feed.xml')])).documents, (await expandInputs([join(samples, 'export.xml')])).documents, { settings: DEFAULT_SETTINGS });
}

/** The number on the count card of `kind`. */
function cardValue(html: string, kind: string): string | undefined {
  return new RegExp(`<div class="card ${kind}[^"]*"><div class="n">([^<]*)</div>`).exec(html)?.[1];
}

/** The rows of the table of class `table`, each as its data-user index. */
function rowUsers(html: string, table: string): number[] {
  const body = new RegExp(`<table class="${table}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr data-user="(\d+)">/g)].map((m) => Number(m[1]));
}

const HOSTILE_ID = '&lt;script&gt;alert(1)&lt;/script&gt;';
const QUOTED_ID = 'x" onmouseover="alert(2)\' &amp;amp; y';

describe('the HTML report', () => {
  it('counts what the report holds: cards, rejected rows, changed users and new users, by their load-order index', async () => {
    const report = await samplePair();
    const html = dryRunHtml(report);
    const s = report.summary;
    for (const kind of ['new', 'updated', 'unchanged', 'rejected', 'total'] as const) assert.equal(cardValue(html, kind), String(s[kind]), kind);
    assert.equal(cardValue(html, 'rate'), '62.5%');
    const indexes = (outcome: string) => report.users.flatMap((u, k) => (u.outcome === outcome ? [k] : []));
    assert.deepEqual(rowUsers(html, 'rejected'), indexes('rejected'));
    assert.deepEqual(rowUsers(html, 'created'), indexes('new'));
    // One row per change, each carrying its user.
    const changes = report.users.flatMap((u, k) => u.changes.map(() => k));
    assert.deepEqual(rowUsers(html, 'changes'), changes);
    assert.equal(changes.length, 3);
    assert.match(html, /<h2>Rejected \(5\)<\/h2>/);
    assert.match(html, /<div class="alert" role="alert"><strong>Alert:<\/strong> 62\.5% of the users would be rejected, at or over Alma&#39;s 5% threshold\.<\/div>/);
    // The removal that swap-all makes comes first for its user, as in the chart.
    assert.match(html, /<td class="kind removed">removed<\/td><td><code>contact_info\/<wbr>phones\/<wbr>phone<\/code><\/td><td class="v">\+64 21 555 0101/);
  });

  it('says what the Markdown says: the same title, facts and sections', async () => {
    const report = await samplePair();
    const html = dryRunHtml(report);
    const markdown = dryRunMarkdown(report);
    for (const heading of markdown.match(/^#+ .*$/gm) ?? []) {
      const title = heading.replace(/^#+ /, '');
      if (/^(Removed|Changed|Added) \(/.test(title)) continue; // the HTML lists changes per user
      assert.ok(html.includes(`>${title.replace(/'/g, '&#39;')}</h`), `${title} in the HTML`);
    }
    assert.match(html, /Matched by <code>primary_id<\/code>; unmatched users: added\./);
    assert.match(html, /\(4 existing users\)/);
  });

  it('a bar of the outcomes, rejected first, against a line at the 5% threshold', async () => {
    const html = dryRunHtml(await samplePair());
    const bar = /<svg class="outcomes"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    const widths = [...bar.matchAll(/<rect class="(\w+)" fill="[^"]+" x="([\d.]+)" y="0" width="([\d.]+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    // 5, 1, 1, 1 of 8 users over 1000 units.
    assert.deepEqual(widths, [['rejected', 0, 625], ['new', 625, 125], ['updated', 750, 125], ['unchanged', 875, 125]]);
    assert.match(bar, /<line class="threshold" x1="50" y1="0" x2="50"/);
    assert.match(html, /<\/svg><div class="threshold-label">5% alert threshold<\/div>/);
    assert.match(html, /\.threshold-label \{ margin-left: calc\(5% - 1px\);/);
  });

  it('a chart of the changes by field, the most touched first, at most 25 fields and the rest added up', async () => {
    const types = Array.from({ length: 30 }, (_, k) => `T${String(k).padStart(2, '0')}`);
    const ids = (suffix: string) => `<user_identifiers>${types.map((t) => `<user_identifier><id_type>${t}</id_type><value>${t}-${suffix}</value></user_identifier>`).join('')}</user_identifiers>`;
    const baseline = usersFile(user('a', '<user_group>UG</user_group>', ids('old')), user('b', '<user_group>UG</user_group>'));
    const report = await run(usersFile(user('a', '<user_group>PG</user_group>', ids('new')), user('b', '<user_group>PG</user_group>')), baseline);
    const chart = /<table class="fields">[\s\S]*?<\/table>/.exec(dryRunHtml(report))?.[0] ?? '';
    const labels = [...chart.matchAll(/<td class="field">(?:<code>)?(.*?)(?:<\/code>)?<\/td>/g)].map((m) => m[1].replace(/<wbr>/g, ''));
    assert.equal(labels.length, 26);
    assert.equal(labels[0], 'user_group', 'changed for both users');
    assert.deepEqual(labels.slice(1, 3), ['user_identifiers/T00', 'user_identifiers/T01']);
    assert.equal(labels[25], '(6 more fields)');
    // One scale for every row: the six fields added up make the longest bar.
    assert.match(chart, /^<table class="fields"><tbody><tr><td class="field"><code>user_group<\/code><\/td><td class="bar"><svg viewBox="0 0 6 10" preserveAspectRatio="none" width="100%" height="14" role="img" aria-label="2 changed"><rect class="changed" fill="#d98e04" x="0" y="0" width="2" height="10"\/><\/svg><\/td><td class="counts">2 changed<\/td><\/tr>/);
    assert.match(chart, /<td class="field">\(6 more fields\)<\/td><td class="bar"><svg viewBox="0 0 6 10"[^>]*><rect class="changed" fill="#d98e04" x="0" y="0" width="6" height="10"\/><\/svg><\/td><td class="counts">6 changed<\/td><\/tr><\/tbody><\/table>$/);
  });

  it('places users by line when they come from one document, by document and line when from several', async () => {
    const one = dryRunHtml(await samplePair());
    assert.match(one, /<table class="rejected"><thead><tr><th>user<\/th><th>line<\/th>/);
    assert.match(one, /<tr data-user="\d+"><td>gia\.russo<\/td><td class="where">73<\/td>/);
    const two = await run([document('a.xml', usersFile(user(null))), document('feeds/b.xml', usersFile(user('new')))], usersFile());
    const html = dryRunHtml(two);
    assert.match(html, /<table class="rejected"><thead><tr><th>user<\/th><th>where<\/th>/);
    assert.match(html, /<td class="where">a\.xml:3<\/td>/);
    assert.match(html, /<td>new<\/td><td class="where">feeds\/<wbr>b\.xml:3<\/td>/);
  });

  it('escapes names, values and paths from the files: no markup, no attribute, no control character gets through', async () => {
    const feed = usersFile(
      user(HOSTILE_ID, '<middle_name>a&#10;b&#133;c</middle_name>'),
      user(QUOTED_ID, identifier('&lt;img src=x onerror=alert(3)&gt;', 'V1')),
      user(null),
    );
    const baseline = usersFile(user(HOSTILE_ID), user(QUOTED_ID));
    const report = await run([document('feed"<b>.xml', feed)], [document('export.xml', baseline)]);
    const html = dryRunHtml(report);
    assert.doesNotMatch(html, /<script|<img|<b>/i);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /x&#34; onmouseover=&#34;alert\(2\)&#39; &#38;amp; y/);
    assert.match(html, /feed&#34;&#60;b&#62;\.xml/);
    // No tag gains an attribute from the files.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) assert.doesNotMatch(tag, /onerror|onmouseover/i, tag);
    // Control characters are shown, as the other formats show them.
    assert.match(html, /a\\nb\\u0085c/);
    assert.doesNotMatch(html, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(html, /<span class="none">\(no primary_id\)<\/span>/);
  });

  it('is self-contained: nothing fetched, no script, and its policy allows exactly its own stylesheet', async () => {
    const html = dryRunHtml(await samplePair());
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'));
    assert.doesNotMatch(html, /https?:/i);
    assert.doesNotMatch(html, /\s(src|href|srcset|action|xlink:href)=/i);
    assert.doesNotMatch(html, /url\(|@import|<link|<script|<iframe|<object|<embed|<img/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    assert.equal(styles.length, 1);
    const hash = createHash('sha256').update(styles[0]).digest('base64');
    assert.equal(HTML_REPORT_CSP, `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`);
    assert.equal(html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1], HTML_REPORT_CSP);
    // Style attributes would need 'unsafe-inline': colours and sizes are classes and SVG attributes.
    assert.doesNotMatch(html, /\sstyle=/i);
  });

  it('an empty input and a report with nothing rejected or changed: the cards, an empty bar, no empty sections', async () => {
    const html = dryRunHtml(await run(usersFile(), usersFile(user('a'))));
    assert.equal(cardValue(html, 'total'), '0');
    assert.equal(cardValue(html, 'rate'), '0%');
    assert.doesNotMatch(html, /<h2>(Rejected|Changes|New users)/);
    assert.doesNotMatch(html, /<div class="alert"/);
    assert.doesNotMatch(/<svg class="outcomes"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '', /<rect class="(rejected|new|updated|unchanged)"/);
  });
});
