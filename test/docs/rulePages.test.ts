import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/repoRoot';
import { RULES } from '../../server/src/engine/rules/ruleTable';
import { validateText } from '../../server/src/engine/validation/validateDocument';
import { loadConfig, selectProfile, settingsFor } from '../../server/src/engine/config/configFile';
import { loadCodeTables, resolveCodeTablesPath } from '../../server/src/engine/config/codeTables';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../server/src/engine/config/types';

/*
 * docs/rules/<rule-id>.md: one page per rule of the rule table, the page a diagnostic's link
 * opens. Each says what the rule checks, why Alma cares, shows a file the engine reports
 * (## Reported) and one it does not (## Not reported), and the fix. The examples are validated
 * here as they are written on the page, with the alma-sis.config.json the page shows (its first
 * `json` block), so a page cannot show an example that does not do what it says.
 */

const pagesDir = join(repoRoot(), 'docs', 'rules');
const SECTIONS = ['What it checks', 'Why Alma cares', 'Reported', 'Not reported', 'The fix'];

interface Page {
  text: string;
  /** The body under each `## ` heading, by heading. */
  sections: Map<string, string>;
  headings: string[];
}

function readPage(id: string): Page {
  const text = readFileSync(join(pagesDir, `${id}.md`), 'utf8');
  const sections = new Map<string, string>();
  const headings: string[] = [];
  const parts = text.split(/^## (.+)$/m);
  for (let k = 1; k < parts.length; k += 2) {
    headings.push(parts[k].trim());
    sections.set(parts[k].trim(), parts[k + 1]);
  }
  return { text, sections, headings };
}

/** The fenced blocks of `language` in a piece of Markdown. */
function fences(markdown: string, language: string): string[] {
  return [...markdown.matchAll(/^```(\S*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm)].filter((m) => m[1] === language).map((m) => m[2]);
}

/** The settings the page's examples are checked with: its alma-sis.config.json, else the defaults. */
async function settingsOf(page: Page): Promise<ValidationSettings> {
  const [json] = fences(page.text, 'json');
  if (json === undefined) return { ...DEFAULT_SETTINGS, rules: {} };
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-rule-page-'));
  try {
    const path = join(dir, 'alma-sis.config.json');
    writeFileSync(path, json);
    const config = await loadConfig(path);
    const profile = selectProfile(config);
    const tablesPath = resolveCodeTablesPath(config, profile);
    // A page that names code tables means the sample ones (samples/code-tables.json).
    if (tablesPath !== undefined) copyFileSync(join(repoRoot(), 'samples', 'code-tables.json'), tablesPath);
    return settingsFor(config, profile, tablesPath === undefined ? undefined : await loadCodeTables(tablesPath), {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listed(findings: { rule: string; severity: string; message: string }[]): string {
  return findings.map((f) => `  ${f.rule} (${f.severity}): ${f.message}`).join('\n') || '  (none)';
}

test('every rule of the rule table has its page, and every page is a rule\'s', () => {
  const pages = readdirSync(pagesDir).filter((name) => name.endsWith('.md')).map((name) => name.slice(0, -3)).sort();
  assert.deepEqual(pages, RULES.map((r) => r.id).sort());
});

for (const rule of RULES) {
  test(`docs/rules/${rule.id}.md`, async (t) => {
    const page = readPage(rule.id);

    await t.test('its title, default severity and sections', () => {
      assert.equal(page.text.split('\n')[0], `# ${rule.id}`);
      assert.ok(page.text.includes(`Default severity: **${rule.severity}**`), 'the default severity as the rule table has it');
      assert.deepEqual(page.headings.filter((h) => SECTIONS.includes(h)), SECTIONS, 'the sections, in order');
      for (const heading of SECTIONS) assert.ok(page.sections.get(heading)!.trim().length > 0, `## ${heading} is empty`);
    });

    const settings = await settingsOf(page);
    const reported = fences(page.sections.get('Reported') ?? '', 'xml');
    const clean = fences(page.sections.get('Not reported') ?? '', 'xml');

    await t.test('the Reported example gives this rule, and only this rule', () => {
      assert.ok(reported.length > 0, 'no xml block under ## Reported');
      for (const example of reported) {
        const findings = validateText(example, `${rule.id}.xml`, settings).findings;
        assert.ok(findings.some((f) => f.rule === rule.id), `${rule.id} is not reported:\n${listed(findings)}`);
        assert.deepEqual(findings.filter((f) => f.rule !== rule.id).map((f) => f.rule), [], `other rules are reported too:\n${listed(findings)}`);
      }
    });

    await t.test('the Not reported example does not give it, nor any error or warning', () => {
      assert.ok(clean.length > 0, 'no xml block under ## Not reported');
      for (const example of clean) {
        const findings = validateText(example, `${rule.id}.xml`, settings).findings;
        assert.deepEqual(findings.filter((f) => f.rule === rule.id || f.severity !== 'info').map((f) => f.rule), [], listed(findings));
      }
    });
  });
}
