/**
 * Files VS Code keeps from extensions, as the editor's tabs show them: which tabs need their file
 * validated from disk, and what the status bar says about it. Plain data in, plain text out: no
 * `vscode` import.
 *
 * VS Code gives extensions no document over 50 MB (of text), so the language server never hears
 * of such a file: no problems, no status, no outline. Only its tab says that it is open.
 */
import type { ValidateFileOnDiskResult } from '../../server/src/protocol/messages';
import { formatStatus, type StatusText } from './statusText';

/** A tab's file as the tab groups show it (the URI as a string, for comparing). */
export interface TabFile {
  uri: string;
  scheme: string;
  path: string;
}

/**
 * The smallest file VS Code may hold back: it syncs nothing over 50 MB of text to extensions, and
 * in code-server and remote windows it does not even load a file over 10 MB until asked
 * ("Open Anyway"). A smaller tab without its document is one whose document is still on its way.
 */
export const HELD_BACK_BYTES = 10 * 1024 * 1024;

/**
 * The tabs' XML files on disk that no synced document stands for, each once (a file may be open
 * in several groups). `synced`: the URIs of the documents extensions see.
 */
export function unsyncedXmlFiles(tabs: readonly (TabFile | undefined)[], synced: ReadonlySet<string>): TabFile[] {
  const found = new Map<string, TabFile>();
  for (const tab of tabs) {
    if (tab === undefined || tab.scheme !== 'file' || !/\.xml$/i.test(tab.path) || synced.has(tab.uri)) continue;
    if (!found.has(tab.uri)) found.set(tab.uri, tab);
  }
  return [...found.values()];
}

/** Whether a tab without its document may be a file VS Code holds back, rather than one still loading. */
export function mayBeHeldBack(size: number): boolean {
  return size > HELD_BACK_BYTES;
}

/** Where the check of one file from disk stands. */
export type DiskCheckState =
  | { kind: 'checking'; last?: Checked }
  | Checked
  | { kind: 'failed'; message: string; at: Date }
  /** Validated with onlyAlma and found not to be an Alma user file: nothing to show. */
  | { kind: 'not-alma' };

export interface Checked {
  kind: 'checked';
  result: ValidateFileOnDiskResult;
  at: Date;
}

/** What the status bar item says: `text` with codicons, `tooltip` on hover. */
export interface DiskStatusText {
  text: string;
  tooltip: string;
  level: StatusText['level'];
}

const ICONS: Record<StatusText['level'], string> = { error: '$(error)', warning: '$(warning)', information: '$(check)' };

const WHY = 'VS Code gives extensions no file over 50 MB, so this one is validated from disk, streaming, when its tab opens and whenever it is saved.';

/** The status of a file checked from disk; undefined when there is nothing to say (not an Alma file). */
export function formatDiskStatus(state: DiskCheckState): DiskStatusText | undefined {
  switch (state.kind) {
    case 'not-alma':
      return undefined;
    case 'checking': {
      const version = state.last === undefined ? 'Alma SIS' : formatStatus(state.last.result).text;
      return { text: `$(sync~spin) ${version} · checking from disk`, tooltip: `Validating the file on disk in the language server.\n${WHY}`, level: 'information' };
    }
    case 'failed':
      return {
        text: '$(warning) Alma SIS · could not check from disk',
        tooltip: `At ${clock(state.at)}: ${state.message}\nClick to try again.`,
        level: 'warning',
      };
    case 'checked': {
      const status = formatStatus(state.result);
      const counts = [plural(state.result.errors, 'error'), plural(state.result.warnings, 'warning')].join(', ');
      return {
        text: `${ICONS[status.level]} ${status.text} · checked from disk at ${clock(state.at)}, edits show on save · ${counts}`,
        tooltip: `${status.detail}\n${WHY}\nClick to check it again.`,
        level: status.level,
      };
    }
  }
}

/** Hours and minutes of the local time, as a status names a moment of today: 09:05. */
export function clock(at: Date): string {
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

const count = new Intl.NumberFormat('en-US');

function plural(n: number, one: string): string {
  return `${count.format(n)} ${n === 1 ? one : `${one}s`}`;
}
