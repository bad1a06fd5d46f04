/*
 * The zips Upload to SFTP offers when it is not started on one: the workspace's, newest first,
 * because the zip just made is nearly always the one to send, and a stale one picked by mistake is
 * what a synchronize must not get. Plain data in and out (no vscode import), so the order and the
 * wording are tested without an editor.
 */

export interface ZipFile {
  /** The zip's vscode.Uri, as toString() gives it. */
  uri: string;
  name: string;
  /** Its folder as the workspace names it ('' at the root of a workspace folder). */
  where: string;
  size: number;
  mtimeMs: number;
}

export interface ZipPickItem {
  label: string;
  description: string;
  detail: string;
  uri: string;
}

/** Newest first; zips of the same moment by where they are, then name, so the list does not shuffle between runs. */
export function newestFirst(zips: readonly ZipFile[]): ZipFile[] {
  return [...zips].sort((a, b) => b.mtimeMs - a.mtimeMs || compare(a.where, b.where) || compare(a.name, b.name) || compare(a.uri, b.uri));
}

/** The quick pick's rows: the name, its folder, and its size and age, newest first. */
export function zipPickItems(zips: readonly ZipFile[], nowMs: number): ZipPickItem[] {
  return newestFirst(zips).map((zip) => ({
    label: zip.name,
    description: zip.where,
    detail: `${formatSize(zip.size)}, modified ${formatAge(zip.mtimeMs, nowMs)}`,
    uri: zip.uri,
  }));
}

/** Sizes as the upload's progress shows them (decimal units: 1 MB is 1,000,000 bytes). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 9.95 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/**
 * How long ago `thenMs` was, in the one unit a person reads at a glance. A moment in the future
 * (another machine's clock, a file copied with its time) is "just now" rather than a negative age.
 */
export function formatAge(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, (nowMs - thenMs) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return ago(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return ago(hours, 'hour');
  return ago(Math.floor(hours / 24), 'day');
}

function ago(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
