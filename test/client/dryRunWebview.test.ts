import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lastDryRunKey } from '../../client/src/dryRunMemory';
import { reportViewCsp, reportViewHtml, reportViewMessage } from '../../client/src/dryRunWebview';
import { DEFAULT_SETTINGS, dryRun, dryRunHtml, expandInputs } from '../../server/src/engine';
import { repoRoot } from '../helpers/repoRoot';

/*
 * The report view's page, made from the engine's real page: the view's policy in place of the
 * page's, a nonce on every style and on the one script, and the page's own content unchanged.
 */

const NONCE = 'q2v8Zt0xYh4LmR7cN1pWsA3e';

async function enginePage(): Promise<string> {
  const samples = join(repoRoot(), 'samples', 'dry-run');
  const report = await dryRun((await expandInputs([join(samples, 'feed.xml')])).documents, (await expandInputs([join(samples, 'export.xml')])).documents, { settings: DEFAULT_SETTINGS });
  return dryRunHtml(report);
}

test('the view\'s page: one policy, the view\'s; every style and the one script carry the nonce; the report itself unchanged', async () => {
  const page = await enginePage();
  const view = reportViewHtml(page, { nonce: NONCE, linked: [2, 4, 5] });
  const policies = [...view.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)].map((m) => m[1]);
  assert.deepEqual(policies, [reportViewCsp(NONCE)]);
  assert.equal(reportViewCsp(NONCE), `default-src 'none'; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'; base-uri 'none'; form-action 'none'`);
  // The policy comes first in the head, before anything it governs.
  assert.ok(view.indexOf('<meta http-equiv="Content-Security-Policy"') < view.indexOf('<style'));
  const styles = view.match(/<style[^>]*>/g) ?? [];
  assert.equal(styles.length, 2);
  for (const tag of styles) assert.equal(tag, `<style nonce="${NONCE}">`);
  assert.deepEqual(view.match(/<script[^>]*>/g), [`<script nonce="${NONCE}">`]);
  assert.match(view, /new Set\(\[2,4,5\]\)/);
  assert.doesNotMatch(view, /https?:|\s(src|href)=/i);
  // What the server sent is all there, between the toolbar and the script.
  const body = page.slice(page.indexOf('<body>') + '<body>'.length, page.lastIndexOf('</body>'));
  assert.ok(view.includes(body));
  assert.ok(view.includes(page.slice(page.indexOf('<title>'), page.indexOf('</title>'))));
  assert.match(view, /<button type="button" data-action="html">Save as HTML<\/button><button type="button" class="secondary" data-action="markdown">Save as Markdown<\/button>/);
  assert.doesNotMatch(view, /data-action="rerun"/);
  assert.ok(view.trimEnd().endsWith('</html>'));
});

test('an out-of-date report says so, escaped, with Run Again; no link hint without linked rows', async () => {
  const view = reportViewHtml(await enginePage(), { nonce: NONCE, linked: [], outdated: 'a<b>"c.xml was edited' });
  assert.match(view, /<div class="almasis-outdated" role="status">a&#60;b&#62;&#34;c\.xml was edited <button type="button" data-action="rerun">Run Again<\/button><\/div>/);
  assert.doesNotMatch(view, /Click a user/);
});

test('a nonce that is not random-looking, or a page of another shape, is refused rather than shown without a policy', async () => {
  const page = await enginePage();
  assert.throws(() => reportViewHtml(page, { nonce: 'abc', linked: [] }), /nonce/);
  assert.throws(() => reportViewHtml(page, { nonce: `${NONCE}"><script>`, linked: [] }), /nonce/);
  assert.throws(() => reportViewHtml('<p>no head</p>', { nonce: NONCE, linked: [] }), /unexpected shape/);
});

test('the extension takes from the page only the messages it sends: a user index, a format, Run Again', () => {
  assert.deepEqual(reportViewMessage({ type: 'jump', user: 3 }), { type: 'jump', user: 3 });
  assert.deepEqual(reportViewMessage({ type: 'save', format: 'markdown', extra: 1 }), { type: 'save', format: 'markdown' });
  assert.deepEqual(reportViewMessage({ type: 'rerun' }), { type: 'rerun' });
  for (const bad of [null, 'jump', 3, {}, { type: 'jump', user: -1 }, { type: 'jump', user: 1.5 }, { type: 'jump', user: '3' }, { type: 'save', format: 'pdf' }, { type: 'open', uri: 'file:///etc/passwd' }]) {
    assert.equal(reportViewMessage(bad), undefined, JSON.stringify(bad));
  }
});

test('the last dry-run of an input is remembered under a key of its URI', () => {
  assert.equal(lastDryRunKey('file:///work/feeds/students.zip'), 'almaSis.dryRun.lastSummary:file:///work/feeds/students.zip');
});
