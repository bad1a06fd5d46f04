import { createHash } from 'node:crypto';
import { escapeControl, reportView, userLabel, where, type ChangeKind, type FieldTally, type ReportUser } from './formatReport';
import { ALERT_THRESHOLD, type DryRunOutcome, type DryRunReport, type DryRunUser } from './types';

/**
 * The dry-run report as one self-contained HTML page: what `alma-sis dry-run --format html`
 * writes for a nightly job to mail, and what the editor's report view shows. It says what the
 * Markdown says (both lay out reportView), with count cards, a bar of the outcomes against
 * Alma's alert threshold and a chart of the changes by field.
 *
 * Nothing is fetched and nothing runs: the style is in the page, the charts are inline SVG, and
 * the page's own Content-Security-Policy allows that one stylesheet (by its hash) and nothing
 * else, so a page opened from a mail cannot load or run anything. Every value from the files is
 * escaped. Rows about a user carry `data-user`, the user's index in load order, for a viewer
 * that can jump to it; the page reads without them.
 */

const COLORS: Record<DryRunOutcome | ChangeKind, string> = {
  rejected: '#c62828',
  new: '#2e7d32',
  updated: '#1565c0',
  unchanged: '#8c959f',
  removed: '#c62828',
  changed: '#d98e04',
  added: '#2e7d32',
};

/** `5`, for the label and the CSS that puts it under the line. */
const THRESHOLD_PERCENT = Math.round(ALERT_THRESHOLD * 100);

// Colours follow VS Code's theme inside the editor (its --vscode-* variables) and fall back to a
// light page elsewhere. Presentation attributes on the SVG repeat the colours for a mail reader
// that drops the stylesheet.
const CSS = `
:root {
  --fg: var(--vscode-foreground, #1f2328);
  --bg: var(--vscode-editor-background, #ffffff);
  --muted: var(--vscode-descriptionForeground, #59636e);
  --border: var(--vscode-panel-border, #d1d9e0);
  --card: var(--vscode-editorWidget-background, #f6f8fa);
  --code: var(--vscode-textCodeBlock-background, #eff1f3);
  --row-hover: var(--vscode-list-hoverBackground, #eef4fb);
  --alert-bg: var(--vscode-inputValidation-warningBackground, #fff4e5);
  --alert-border: var(--vscode-inputValidation-warningBorder, #d98e04);
${Object.entries(COLORS).map(([name, color]) => `  --${name}: ${color};`).join('\n')}
}
body { margin: 0; padding: 16px 24px 32px; color: var(--fg); background: var(--bg);
  font-family: var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif); font-size: var(--vscode-font-size, 14px); line-height: 1.45; }
h1 { font-size: 1.5em; margin: 0 0 8px; }
h2 { font-size: 1.2em; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
code { font-family: var(--vscode-editor-font-family, ui-monospace, Menlo, Consolas, monospace); background: var(--code); padding: 0 3px; border-radius: 3px; }
.facts { margin: 0; color: var(--muted); }
.facts div { margin: 2px 0; }
.alert { margin: 16px 0; padding: 8px 12px; border: 1px solid var(--alert-border); border-left-width: 4px; background: var(--alert-bg); border-radius: 3px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { min-width: 110px; padding: 10px 14px; background: var(--card); border: 1px solid var(--border); border-top: 4px solid var(--muted); border-radius: 4px; }
.card .n { font-size: 1.8em; font-weight: 600; line-height: 1.1; }
.card .k { color: var(--muted); }
.card.new { border-top-color: var(--new); }
.card.updated { border-top-color: var(--updated); }
.card.unchanged { border-top-color: var(--unchanged); }
.card.rejected { border-top-color: var(--rejected); }
.card.rate.over { border-top-color: var(--alert-border); }
svg { display: block; }
svg.outcomes { width: 100%; height: 30px; }
.frame { fill: none; stroke: var(--border); }
.threshold { stroke: var(--fg); stroke-width: 2; stroke-dasharray: 4 3; }
.threshold-label { margin-left: calc(${THRESHOLD_PERCENT}% - 1px); padding: 2px 6px; border-left: 2px dashed var(--fg); font-size: 0.85em; color: var(--muted); }
table.fields { width: 100%; }
table.fields td { border: none; padding: 3px 8px 3px 0; vertical-align: middle; }
table.fields td.field { width: 35%; overflow-wrap: anywhere; }
table.fields td.bar { width: 50%; }
table.fields td.bar svg { width: 100%; height: 14px; }
table.fields td.counts { white-space: nowrap; color: var(--muted); }
${Object.keys(COLORS).map((name) => `.${name} { fill: var(--${name}); }`).join('\n')}
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; color: var(--muted); }
.legend svg { display: inline-block; vertical-align: -1px; margin-right: 4px; }
.chips { margin: 6px 0 10px; }
.chip { display: inline-block; margin: 0 8px 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--border); overflow-wrap: break-word; }
td.v { overflow-wrap: anywhere; min-width: 6em; }
td.kind, td.reason code { white-space: nowrap; }
th { color: var(--muted); font-weight: 600; }
td.where { color: var(--muted); }
tbody.user td { border-bottom-color: transparent; }
tbody.user tr:last-child td { border-bottom-color: var(--border); }
.kind { font-weight: 600; }
.kind.removed { color: var(--removed); }
.kind.changed { color: var(--changed); }
.kind.added { color: var(--added); }
.none { color: var(--muted); font-style: italic; }
.note { color: var(--muted); }
tr.jump { cursor: pointer; }
tr.jump:hover, tr.jump:focus { background: var(--row-hover); outline: none; }
`;

/** The stylesheet's CSP source: a hash allows exactly this text, and no other style, to apply. */
const STYLE_SOURCE = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** The page's policy: nothing from anywhere, only the stylesheet above. */
export const HTML_REPORT_CSP = `default-src 'none'; style-src ${STYLE_SOURCE}; base-uri 'none'; form-action 'none'`;

/** The chart shows at most this many fields; the rest are added up in one row. */
const CHART_FIELDS = 25;


export function dryRunHtml(report: DryRunReport): string {
  const s = report.summary;
  const view = reportView(report);
  // Users of one document are placed by their line alone: its path is said once, above.
  const documents = new Set(report.users.map((u) => u.path));
  const single = documents.size === 1 ? [...documents][0] : undefined;
  const place: Place = single === undefined
    ? { heading: 'where', of: (user) => breakable(where(user)) }
    : { heading: 'line', of: (user) => String(user.line + 1) };
  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(view.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${text(view.title)}</h1>`,
    '<div class="facts">',
    `<div>Input: ${view.inputs.map(code).join(', ')}${single !== undefined && !view.inputs.includes(single) ? ` (users in ${code(single)})` : ''}</div>`,
    `<div>Baseline: ${view.baselinePaths.map(code).join(', ')} (${text(view.baselineUsers)})</div>`,
    `<div>Matched by ${code(view.matchIdType)}; unmatched users: ${text(view.unmatched)}.</div>`,
    ...(view.mappedFromV1 !== undefined ? [`<div>${text(view.mappedFromV1)}.</div>`] : []),
    '</div>',
  );
  if (view.alert !== undefined) out.push(`<div class="alert" role="alert"><strong>Alert:</strong> ${text(view.alert)}.</div>`);

  out.push('<div class="cards">');
  for (const outcome of ['new', 'updated', 'unchanged', 'rejected'] as const) out.push(card(outcome, String(s[outcome]), outcome));
  out.push(card('total', String(s.total), 'total'));
  out.push(card(`rate${s.alert ? ' over' : ''}`, view.failureRate, 'failure rate'));
  out.push('</div>');

  out.push('<h2>Outcomes</h2>', outcomeBar(report), legend(['rejected', 'new', 'updated', 'unchanged']));
  out.push(`<p class="note">Failure rate ${text(view.failureRate)}: Alma's job report raises an alert when ${text(view.threshold)} of the users or more are rejected (the dashed line).</p>`);

  if (view.rejected.length > 0) {
    out.push(`<h2>Rejected (${view.rejected.length})</h2>`);
    out.push(`<div class="chips">${view.reasons.map(({ reason, users }) => `<span class="chip">${code(reason)} ${users}</span>`).join('')}</div>`);
    out.push(`<table class="rejected"><thead><tr><th>user</th><th>${place.heading}</th><th>reason</th><th>why</th></tr></thead><tbody>`);
    for (const { index, user } of view.rejected) {
      out.push(`<tr data-user="${index}"><td>${name(user.primaryId, '(no primary_id)')}</td><td class="where">${place.of(user)}</td>` +
        `<td class="reason">${code(user.reason ?? '')}</td><td class="v">${text(user.detail ?? '')}</td></tr>`);
    }
    out.push('</tbody></table>');
  }

  if (view.updated.length > 0) {
    out.push(`<h2>Changes by field</h2>`, fieldChart(view.byField), legend(['removed', 'changed', 'added']));
    out.push(`<h2>Changes to existing users (${view.updated.length} updated)</h2>`, `<p class="note">${text(view.swapAllNote)}</p>`);
    out.push(`<table class="changes"><thead><tr><th>user</th><th>${place.heading}</th><th>change</th><th>field</th><th>old</th><th>new</th></tr></thead>`);
    for (const entry of view.updated) out.push(userChanges(entry, place));
    out.push('</table>');
  }

  if (view.created.length > 0) {
    out.push(`<h2>New users (${view.created.length})</h2>`);
    out.push(`<table class="created"><thead><tr><th>user</th><th>${place.heading}</th></tr></thead><tbody>`);
    for (const { index, user } of view.created) out.push(`<tr data-user="${index}"><td>${text(userLabel(user))}</td><td class="where">${place.of(user)}</td></tr>`);
    out.push('</tbody></table>');
  }
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

/** How a user's place is shown: its line, or its document and line when the input has several. */
interface Place {
  heading: string;
  of(user: DryRunUser): string;
}

function card(className: string, value: string, label: string): string {
  return `<div class="card ${className}"><div class="n">${text(value)}</div><div class="k">${text(label)}</div></div>`;
}

/**
 * The outcomes as one bar, rejected first so that it reaches the threshold's line when the alert is
 * raised. The bar stretches to the page's width (its strokes do not); the label is page text under
 * the line, so that it stays readable in a narrow editor column.
 */
function outcomeBar(report: DryRunReport): string {
  const s = report.summary;
  const width = 1000;
  const parts: string[] = [];
  let x = 0;
  const labels: string[] = [];
  for (const outcome of ['rejected', 'new', 'updated', 'unchanged'] as const) {
    const n = s[outcome];
    labels.push(`${n} ${outcome}`);
    if (n === 0 || s.total === 0) continue;
    const w = (n / s.total) * width;
    parts.push(`<rect class="${outcome}" fill="${COLORS[outcome]}" x="${num(x)}" y="0" width="${num(w)}" height="30"><title>${outcome}: ${n}</title></rect>`);
    x += w;
  }
  const mark = ALERT_THRESHOLD * width;
  return [
    `<svg class="outcomes" viewBox="0 0 ${width} 30" preserveAspectRatio="none" width="100%" height="30" role="img" aria-label="${text(`Outcomes: ${labels.join(', ')}; alert threshold ${THRESHOLD_PERCENT}% rejected`)}">`,
    ...parts,
    `<rect class="frame" x="0" y="0" width="${width}" height="30" fill="none" stroke="#d1d9e0" vector-effect="non-scaling-stroke"/>`,
    `<line class="threshold" x1="${mark}" y1="0" x2="${mark}" y2="30" stroke="#1f2328" stroke-width="2" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/>`,
    '</svg>',
    `<div class="threshold-label">${THRESHOLD_PERCENT}% alert threshold</div>`,
  ].join('');
}

/**
 * A row per field, the most touched first: its name as page text (it wraps), a bar of its
 * removals, changes and additions stacked on one scale for all rows, and the counts.
 */
function fieldChart(byField: readonly FieldTally[]): string {
  const rows: FieldTally[] = byField.slice(0, CHART_FIELDS);
  const rest = byField.slice(CHART_FIELDS);
  if (rest.length > 0) {
    rows.push(rest.reduce((sum, t) => ({ ...sum, removed: sum.removed + t.removed, changed: sum.changed + t.changed, added: sum.added + t.added }),
      { path: `(${rest.length} more fields)`, removed: 0, changed: 0, added: 0 }));
  }
  const max = Math.max(1, ...rows.map((t) => t.removed + t.changed + t.added));
  const out = ['<table class="fields"><tbody>'];
  rows.forEach((tally, k) => {
    const counts = (['removed', 'changed', 'added'] as const).filter((kind) => tally[kind] > 0).map((kind) => `${tally[kind]} ${kind}`).join(', ');
    const bars: string[] = [];
    let x = 0;
    for (const kind of ['removed', 'changed', 'added'] as const) {
      if (tally[kind] === 0) continue;
      bars.push(`<rect class="${kind}" fill="${COLORS[kind]}" x="${x}" y="0" width="${tally[kind]}" height="10"/>`);
      x += tally[kind];
    }
    const name = k === CHART_FIELDS ? text(tally.path) : `<code>${breakable(tally.path)}</code>`;
    out.push(`<tr><td class="field">${name}</td><td class="bar"><svg viewBox="0 0 ${max} 10" preserveAspectRatio="none" width="100%" height="14" role="img" aria-label="${text(counts)}">${bars.join('')}</svg></td><td class="counts">${text(counts)}</td></tr>`);
  });
  out.push('</tbody></table>');
  return out.join('');
}

function legend(kinds: readonly (DryRunOutcome | ChangeKind)[]): string {
  const swatch = (kind: DryRunOutcome | ChangeKind) =>
    `<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect class="${kind}" fill="${COLORS[kind]}" width="12" height="12" rx="2"/></svg>`;
  return `<div class="legend">${kinds.map((kind) => `<span>${swatch(kind)}${kind}</span>`).join('')}</div>`;
}

/** One updated user: its removals first (what swap-all deletes), then its changes and additions. */
function userChanges({ index, user }: ReportUser, where: Place): string {
  const order: Record<ChangeKind, number> = { removed: 0, changed: 1, added: 2 };
  const changes = [...user.changes].sort((a, b) => order[a.change] - order[b.change]);
  const place = `<td>${text(userLabel(user))}</td><td class="where">${where.of(user)}</td>`;
  if (changes.length === 0) return `<tbody class="user"><tr data-user="${index}">${place}<td colspan="4" class="none">no field listed</td></tr></tbody>`;
  const rows = changes.map((c, k) => {
    const head = k === 0 ? place.replace(/<td/g, `<td rowspan="${changes.length}"`) : '';
    return `<tr data-user="${index}">${head}<td class="kind ${c.change}">${c.change}</td><td><code>${breakable(c.path)}</code></td><td class="v">${value(c.old)}</td><td class="v">${value(c.new)}</td></tr>`;
  });
  return `<tbody class="user">${rows.join('')}</tbody>`;
}

function value(v: string | null): string {
  return v === null ? '<span class="none">none</span>' : text(v);
}

function name(primaryId: string | null, missing: string): string {
  return primaryId === null ? `<span class="none">${text(missing)}</span>` : text(primaryId);
}

function code(v: string): string {
  return `<code>${text(v)}</code>`;
}

/**
 * A value from the files as page text (or an attribute value): control characters made visible,
 * as in the other formats, and every character that means something to HTML escaped.
 */
function text(v: string): string {
  return escapeControl(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A path as page text that may wrap after each slash: a narrow editor column still shows it whole. */
function breakable(v: string): string {
  return text(v).replace(/\//g, '/<wbr>');
}

function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}
