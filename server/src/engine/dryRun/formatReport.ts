import { ALERT_THRESHOLD, REJECT_REASONS, type DryRunReport, type DryRunUser, type FieldChange } from './types';

/**
 * The dry-run report as the CLI prints it and the editor shows it. Lines are 1-based here (as a
 * person reads them); values come from the files, so control characters are escaped.
 */

/** `{"summary":{...},"users":[{"primaryId","outcome","reason","line","changes":[...]}]}`, in pieces. */
export function* dryRunJson(report: DryRunReport): Generator<string> {
  yield `{"summary":${JSON.stringify(report.summary)},"users":[`;
  let first = true;
  for (const user of report.users) {
    const json = JSON.stringify({
      primaryId: user.primaryId,
      outcome: user.outcome,
      reason: user.reason,
      line: user.line + 1,
      changes: user.changes.map((c) => ({ path: c.path, change: c.change, old: c.old, new: c.new })),
    });
    yield first ? `\n${json}` : `,\n${json}`;
    first = false;
  }
  yield '\n]}\n';
}

/** One line per user that is not unchanged, then the summary. */
export function* dryRunText(report: DryRunReport): Generator<string> {
  for (const user of report.users) {
    if (user.outcome === 'unchanged') continue;
    const where = `${escapeControl(user.path)}:${user.line + 1}`;
    const who = escapeControl(user.primaryId ?? '(no primary_id)');
    if (user.outcome === 'rejected') {
      yield `${where}: rejected ${user.reason} ${who}: ${escapeControl(user.detail ?? '')}\n`;
    } else if (user.outcome === 'updated') {
      yield `${where}: updated ${who}: ${describeChanges(user.changes)}\n`;
    } else {
      yield `${where}: new ${who}\n`;
    }
  }
  yield `${summaryLine(report)}\n`;
  if (report.summary.alert) yield `${alertLine(report)}\n`;
}

export function summaryLine(report: DryRunReport): string {
  const s = report.summary;
  return `${usersCount(s.total)} (${report.mode}, matched by ${report.matchIdType}, against ${report.baseline.users} existing): ` +
    `${s.new} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.rejected} rejected (${percent(s.failureRate)})`;
}

function usersCount(n: number): string {
  return `${n} ${n === 1 ? 'user' : 'users'}`;
}

function alertLine(report: DryRunReport): string {
  return `alert: ${percent(report.summary.failureRate)} of the users would be rejected, at or over Alma's ${percent(ALERT_THRESHOLD)} threshold`;
}

/** A report a person reads: counts first, then rejections, then the changes grouped by kind. */
export function dryRunMarkdown(report: DryRunReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Dry-run: ${report.mode} of ${usersCount(s.total)}`, '');
  out.push(`Input: ${report.inputs.map(code).join(', ')}  `);
  out.push(`Baseline: ${report.baseline.paths.map(code).join(', ')} (${report.baseline.users} existing ${report.baseline.users === 1 ? 'user' : 'users'})  `);
  out.push(`Matched by ${code(report.matchIdType)}; unmatched users: ${report.mode === 'import' ? 'added (import)' : report.unmatched === 'add' ? 'added' : 'rejected'}.`, '');
  if (s.alert) out.push(`> **Alert:** ${percent(s.failureRate)} of the users would be rejected, at or over Alma's ${percent(ALERT_THRESHOLD)} threshold.`, '');
  out.push('| outcome | users |', '|---|---:|');
  out.push(`| new | ${s.new} |`, `| updated | ${s.updated} |`, `| unchanged | ${s.unchanged} |`, `| rejected | ${s.rejected} |`, `| **total** | **${s.total}** |`);
  out.push('', `Failure rate: ${percent(s.failureRate)}.`, '');

  const rejected = report.users.filter((u) => u.outcome === 'rejected');
  if (rejected.length > 0) {
    out.push(`## Rejected (${rejected.length})`, '');
    const byReason = REJECT_REASONS.map((reason) => [reason, rejected.filter((u) => u.reason === reason).length] as const).filter(([, n]) => n > 0);
    out.push(byReason.map(([reason, n]) => `${code(reason)}: ${n}`).join(', '), '');
    out.push('| user | where | reason | why |', '|---|---|---|---|');
    for (const user of rejected) out.push(`| ${cell(user.primaryId ?? '(none)')} | ${cell(where(user))} | ${code(user.reason ?? '')} | ${cell(user.detail ?? '')} |`);
    out.push('');
  }

  const updated = report.users.filter((u) => u.outcome === 'updated');
  if (updated.length > 0) {
    out.push(`## Changes to existing users (${updated.length} updated)`, '');
    out.push('Swap-all: the file replaces every field it controls, and what it lacks is removed. Internal segments and fields ' +
      'SIS does not load are kept and not listed. Alma keeps user_group, job_category, pin_number, preferred_language, ' +
      'campus_code, rs_libraries, user_title and library_notices when staff changed them by hand; the export cannot show that.', '');
    for (const kind of ['removed', 'changed', 'added'] as const) {
      const rows = updated.flatMap((user) => user.changes.filter((c) => c.change === kind).map((c) => [user, c] as const));
      if (rows.length === 0) continue;
      out.push(`### ${kind === 'removed' ? 'Removed' : kind === 'changed' ? 'Changed' : 'Added'} (${rows.length})`, '');
      out.push(kind === 'changed' ? '| user | field | old | new |' : `| user | field | ${kind === 'removed' ? 'old' : 'new'} value |`);
      out.push(kind === 'changed' ? '|---|---|---|---|' : '|---|---|---|');
      for (const [user, c] of rows) {
        const id = cell(user.primaryId ?? `(line ${user.line + 1})`);
        if (kind === 'changed') out.push(`| ${id} | ${code(c.path)} | ${cell(c.old ?? '')} | ${cell(c.new ?? '')} |`);
        else out.push(`| ${id} | ${code(c.path)} | ${cell((kind === 'removed' ? c.old : c.new) ?? '')} |`);
      }
      out.push('');
    }
  }

  const created = report.users.filter((u) => u.outcome === 'new');
  if (created.length > 0) {
    out.push(`## New users (${created.length})`, '');
    out.push(created.map((u) => cell(u.primaryId ?? `(line ${u.line + 1})`)).join(', '), '');
  }
  return out.join('\n');
}

function describeChanges(changes: readonly FieldChange[]): string {
  return changes.map((c) => {
    switch (c.change) {
      case 'added':
        return `+${c.path}=${quote(c.new)}`;
      case 'removed':
        return `-${c.path}=${quote(c.old)}`;
      case 'changed':
        return `${c.path} ${quote(c.old)} -> ${quote(c.new)}`;
    }
  }).join(', ');
}

function quote(value: string | null): string {
  return JSON.stringify(value ?? '').replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function where(user: DryRunUser): string {
  return `${user.path}:${user.line + 1}`;
}

function percent(rate: number): string {
  // Two decimals at most, so that 4.99% is not shown as the 5% that raises the alert.
  return `${Math.floor(rate * 10000) / 100}%`;
}

/** C0 and C1 control characters (and line separators) as visible escapes: a value may hold any of them. */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** A table cell: no control characters, pipes or HTML; never empty-looking. */
function cell(text: string): string {
  return escapeControl(text).replace(/[|\\`*_<>[\]&]/g, (c) => `\\${c}`);
}

function code(text: string): string {
  const clean = escapeControl(text).replace(/`/g, "'").replace(/\|/g, '\\|');
  return `\`${clean}\``;
}

/** A rejected user as an editor shows it: on its `<user>` tag, with the reason as the code. */
export interface RejectionMark {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** The reject reason (duplicate-in-feed...): the diagnostic's code. */
  code: string;
  message: string;
}

/** The rejected users of each input document, by display path, for an editor's diagnostics. */
export function rejectionsByDocument(report: DryRunReport): Map<string, RejectionMark[]> {
  const marks = new Map<string, RejectionMark[]>();
  for (const user of report.users) {
    if (user.outcome !== 'rejected' || user.reason === null) continue;
    let list = marks.get(user.path);
    if (!list) marks.set(user.path, (list = []));
    list.push({
      range: { start: { line: user.line, character: user.col }, end: { line: user.line, character: user.endCol } },
      code: user.reason,
      message: `Alma would reject this user (${user.reason}): ${user.detail ?? ''}`,
    });
  }
  return marks;
}
