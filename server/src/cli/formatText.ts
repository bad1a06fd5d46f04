import type { InputNote, Position, SetResult, Summary } from '../engine';
import { visible } from './visibleText';

export interface TextOptions {
  /** Notes about the input itself (skipped zip entries), printed before the findings. */
  notes?: readonly InputNote[];
  /** False leaves out the summary line (`--quiet` on a clean run). */
  summary?: boolean;
}

/**
 * The compiler-style report: `path:line:col: severity rule message`, one finding a line, with
 * 1-based line and column (UTF-16 units, as editors count) so that editors and terminals can
 * jump to it; related places follow as indented `note:` lines. Whatever comes from the input is
 * printed with its control characters escaped, so that no file can forge a line or drive the terminal.
 */
export function formatText(result: SetResult, options: TextOptions = {}): string {
  return [...textReport(result, options)].join('');
}

/** The same report a line at a time, so that a large one is written as it is made. */
export function* textReport(result: SetResult, options: TextOptions = {}): Generator<string> {
  for (const note of options.notes ?? []) yield `${formatNote(note)}\n`;
  for (const doc of result.documents) {
    const path = visible(doc.path);
    for (const finding of doc.findings) {
      yield `${path}:${where(finding.range.start)}: ${finding.severity} ${finding.rule} ${visible(finding.message)}\n`;
      for (const related of finding.related) {
        yield `  ${visible(related.path)}:${where(related.range.start)}: note: ${visible(related.message)}\n`;
      }
    }
  }
  // One document is named, so that runs one after another (npm start) say which file each is about.
  const only = result.documents.length === 1 ? result.documents[0].path : undefined;
  if (options.summary !== false) yield `${summaryLine(result.summary, only)}\n`;
}

/** `feed.zip!/readme.txt: note: not an XML file, skipped`. */
export function formatNote(note: InputNote): string {
  return `${note.path ? `${visible(note.path)}: ` : ''}note: ${visible(note.message)}`;
}

/**
 * `3 files, 1200 users: 2 errors, 5 warnings, 0 infos`, after `path: ` when it is about one file;
 * `; the errors reject 3 users` when errors reject users, whose findings may be said once per file.
 */
export function summaryLine(summary: Summary, path?: string): string {
  const rejected = summary.rejectedUsers ?? 0;
  return (
    `${path !== undefined ? `${visible(path)}: ` : ''}${count(summary.files, 'file')}, ${count(summary.users, 'user')}: ` +
    `${count(summary.errors, 'error')}, ${count(summary.warnings, 'warning')}, ${count(summary.infos, 'info')}` +
    (rejected > 0 ? `; the errors reject ${count(rejected, 'user')}` : '')
  );
}

function where(position: Position): string {
  return `${position.line + 1}:${position.character + 1}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
