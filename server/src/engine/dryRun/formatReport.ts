import { ALERT_THRESHOLD, REJECT_REASONS, type DryRunReport, type DryRunUser, type FieldChange, type RejectReason } from './types';

/**
 * The dry-run report as the CLI prints it and the editor shows it. Lines are 1-based here (as a
 * person reads them); values come from the files, so control characters are escaped.
 */

/** `{"summary":{...},"users":[{"primaryId","outcome","reason","line","changes":[...]}]}`, in pieces. */
export function* dryRunJson(report: DryRunReport): Generator<string> {
  const mapped = report.mappedFromV1.length > 0 ? `,"mappedFromV1":${JSON.stringify(report.mappedFromV1)}` : '';
  yield `{"summary":${JSON.stringify(report.summary)}${mapped},"users":[`;
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
  const mapped = mappedSentence(report);
  if (mapped !== undefined) yield `note: ${escapeControl(mapped)}\n`;
  yield `${summaryLine(report)}\n`;
  if (report.summary.alert) yield `${alertLine(report)}\n`;
}

export function summaryLine(report: DryRunReport): string {
  const s = report.summary;
  return `${usersCount(s.total)} (${report.mode}, matched by ${report.matchIdType}, against ${report.baseline.users} existing): ` +
    `${s.new} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.rejected} rejected (${percent(s.failureRate)})`;
}

/** Why the field names of a v1 file show in v2: it was compared through the mapping. */
function mappedSentence(report: DryRunReport): string | undefined {
  const paths = report.mappedFromV1;
  if (paths.length === 0) return undefined;
  return `${paths.join(', ')} ${paths.length === 1 ? 'is' : 'are'} User XSD v1, compared with the v2 side through the v1 to v2 mapping: ` +
    'fields are named as in v2, and v1 values with no v2 home are not compared';
}

export function usersCount(n: number): string {
  return `${n} ${n === 1 ? 'user' : 'users'}`;
}

function alertLine(report: DryRunReport): string {
  return `alert: ${alertSentence(report)}`;
}

function alertSentence(report: DryRunReport): string {
  return `${percent(report.summary.failureRate)} of the users would be rejected, at or over Alma's ${percent(ALERT_THRESHOLD)} threshold`;
}

/** A user of the report with its place in load order (what an editor jumps by). */
export interface ReportUser {
  index: number;
  user: DryRunUser;
}

export type ChangeKind = FieldChange['change'];

/** How often a field is removed, changed and added across the updated users. */
export interface FieldTally {
  path: string;
  removed: number;
  changed: number;
  added: number;
}

/**
 * What a report to read says, decided once for every layout of it (the Markdown, the HTML view):
 * the sentences, the selections and the groupings. The layouts only escape and arrange.
 */
export interface ReportView {
  title: string;
  inputs: readonly string[];
  baselinePaths: readonly string[];
  /** Why a v1 file's fields show under v2 names, when one was compared through the mapping. */
  mappedFromV1: string | undefined;
  /** `4 existing users` */
  baselineUsers: string;
  matchIdType: string;
  /** What happens to users no existing user matches: `added`, `added (import)` or `rejected`. */
  unmatched: string;
  /** `62.5% of the users would be rejected, at or over Alma's 5% threshold`, when the alert is raised. */
  alert: string | undefined;
  /** The failure rate as shown (`62.5%`), never rounded up to the threshold. */
  failureRate: string;
  /** `5%` */
  threshold: string;
  rejected: ReportUser[];
  /** The reasons that occur, in the order of REJECT_REASONS, with their counts. */
  reasons: { reason: RejectReason; users: number }[];
  updated: ReportUser[];
  /** What swap-all means for the changes listed. */
  swapAllNote: string;
  /** The changes of the updated users by kind, removed first: only the kinds that occur. */
  changesByKind: { kind: ChangeKind; heading: string; rows: { user: ReportUser; change: FieldChange }[] }[];
  /** The changes by field, the most touched first. */
  byField: FieldTally[];
  created: ReportUser[];
}

const CHANGE_KINDS: readonly { kind: ChangeKind; heading: string }[] = [
  { kind: 'removed', heading: 'Removed' },
  { kind: 'changed', heading: 'Changed' },
  { kind: 'added', heading: 'Added' },
];

const SWAP_ALL_NOTE = 'Swap-all: the file replaces every field it controls, and what it lacks is removed. Internal segments and fields ' +
  'SIS does not load are kept and not listed. Alma keeps user_group, job_category, pin_number, preferred_language, ' +
  'campus_code, rs_libraries, user_title and library_notices when staff changed them by hand; the export cannot show that.';

export function reportView(report: DryRunReport): ReportView {
  const s = report.summary;
  const withIndex = (outcome: DryRunUser['outcome']): ReportUser[] =>
    report.users.flatMap((user, index) => (user.outcome === outcome ? [{ index, user }] : []));
  const rejected = withIndex('rejected');
  const updated = withIndex('updated');
  const tallies = new Map<string, FieldTally>();
  for (const { user } of updated) {
    for (const change of user.changes) {
      let tally = tallies.get(change.path);
      if (!tally) tallies.set(change.path, (tally = { path: change.path, removed: 0, changed: 0, added: 0 }));
      tally[change.change]++;
    }
  }
  const touched = (t: FieldTally) => t.removed + t.changed + t.added;
  return {
    title: `Dry-run: ${report.mode} of ${usersCount(s.total)}`,
    inputs: report.inputs,
    baselinePaths: report.baseline.paths,
    mappedFromV1: mappedSentence(report),
    baselineUsers: `${report.baseline.users} existing ${report.baseline.users === 1 ? 'user' : 'users'}`,
    matchIdType: report.matchIdType,
    unmatched: report.mode === 'import' ? 'added (import)' : report.unmatched === 'add' ? 'added' : 'rejected',
    alert: s.alert ? alertSentence(report) : undefined,
    failureRate: percent(s.failureRate),
    threshold: percent(ALERT_THRESHOLD),
    rejected,
    reasons: REJECT_REASONS.map((reason) => ({ reason, users: rejected.filter((r) => r.user.reason === reason).length })).filter((r) => r.users > 0),
    updated,
    swapAllNote: SWAP_ALL_NOTE,
    changesByKind: CHANGE_KINDS.map(({ kind, heading }) => ({
      kind,
      heading,
      rows: updated.flatMap((user) => user.user.changes.filter((c) => c.change === kind).map((change) => ({ user, change }))),
    })).filter((group) => group.rows.length > 0),
    // Removals first among equals: they are what a swap-all deletes.
    byField: [...tallies.values()].sort((a, b) => touched(b) - touched(a) || b.removed - a.removed || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    created: withIndex('new'),
  };
}

/** A report a person reads: counts first, then rejections, then the changes grouped by kind. */
export function dryRunMarkdown(report: DryRunReport): string {
  const s = report.summary;
  const view = reportView(report);
  const out: string[] = [];
  out.push(`# ${view.title}`, '');
  out.push(`Input: ${view.inputs.map(code).join(', ')}  `);
  out.push(`Baseline: ${view.baselinePaths.map(code).join(', ')} (${view.baselineUsers})  `);
  out.push(`Matched by ${code(view.matchIdType)}; unmatched users: ${view.unmatched}.`, '');
  if (view.mappedFromV1 !== undefined) out.push(`${cell(view.mappedFromV1)}.`, '');
  if (view.alert !== undefined) out.push(`> **Alert:** ${view.alert}.`, '');
  out.push('| outcome | users |', '|---|---:|');
  out.push(`| new | ${s.new} |`, `| updated | ${s.updated} |`, `| unchanged | ${s.unchanged} |`, `| rejected | ${s.rejected} |`, `| **total** | **${s.total}** |`);
  out.push('', `Failure rate: ${view.failureRate}.`, '');

  if (view.rejected.length > 0) {
    out.push(`## Rejected (${view.rejected.length})`, '');
    out.push(view.reasons.map(({ reason, users }) => `${code(reason)}: ${users}`).join(', '), '');
    out.push('| user | where | reason | why |', '|---|---|---|---|');
    for (const { user } of view.rejected) out.push(`| ${cell(user.primaryId ?? '(none)')} | ${cell(where(user))} | ${code(user.reason ?? '')} | ${cell(user.detail ?? '')} |`);
    out.push('');
  }

  if (view.updated.length > 0) {
    out.push(`## Changes to existing users (${view.updated.length} updated)`, '');
    out.push(view.swapAllNote, '');
    for (const { kind, heading, rows } of view.changesByKind) {
      out.push(`### ${heading} (${rows.length})`, '');
      out.push(kind === 'changed' ? '| user | field | old | new |' : `| user | field | ${kind === 'removed' ? 'old' : 'new'} value |`);
      out.push(kind === 'changed' ? '|---|---|---|---|' : '|---|---|---|');
      for (const { user: { user }, change: c } of rows) {
        const id = cell(userLabel(user));
        if (kind === 'changed') out.push(`| ${id} | ${code(c.path)} | ${cell(c.old ?? '')} | ${cell(c.new ?? '')} |`);
        else out.push(`| ${id} | ${code(c.path)} | ${cell((kind === 'removed' ? c.old : c.new) ?? '')} |`);
      }
      out.push('');
    }
  }

  if (view.created.length > 0) {
    out.push(`## New users (${view.created.length})`, '');
    out.push(view.created.map(({ user }) => cell(userLabel(user))).join(', '), '');
  }
  return out.join('\n');
}

/** The user as the report names it: its primary id, else its line. */
export function userLabel(user: DryRunUser): string {
  return user.primaryId ?? `(line ${user.line + 1})`;
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

/** `feed.xml:12`, the line 1-based. */
export function where(user: DryRunUser): string {
  return `${user.path}:${user.line + 1}`;
}

export function percent(rate: number): string {
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
