import { parseCanon } from './userCollector';
import type { FieldChange } from './types';

/**
 * The field-level changes a swap-all synchronize makes to an existing user: every field and
 * segment of the input replaces the existing one, and what the input lacks is removed. Both
 * sides are canonical strings of the collector (internal segments and fields SIS does not load
 * are not in them, so they never show as removed).
 *
 * Per path, values present on both sides cancel out (a list compares as a multiset: reordering
 * phones is no change); what remains is paired in sorted order as `changed`, and the surplus is
 * `added` or `removed`.
 */
const PRIMARY_ID_PATHS: ReadonlySet<string> = new Set(['primary_id', 'userDetails/userName']);

export function compareUsers(existingCanon: string, inputCanon: string): FieldChange[] {
  // Canonical strings are in model order; the merge below walks both sides in path order.
  const before = parseCanon(existingCanon).sort(byPathThenValue);
  const after = parseCanon(inputCanon).sort(byPathThenValue);
  const changes: FieldChange[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const path = i >= before.length ? after[j][0] : j >= after.length ? before[i][0] : before[i][0] <= after[j][0] ? before[i][0] : after[j][0];
    const olds: string[] = [];
    const news: string[] = [];
    while (i < before.length && before[i][0] === path) olds.push(before[i++][1]);
    while (j < after.length && after[j][0] === path) news.push(after[j++][1]);
    // A synchronize never deletes the primary id: a feed that matches on another identifier may leave it out.
    if (news.length === 0 && PRIMARY_ID_PATHS.has(path)) continue;
    diffValues(path, olds, news, changes);
  }
  return changes;
}

function byPathThenValue(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Both lists are sorted. */
function diffValues(path: string, olds: string[], news: string[], changes: FieldChange[]): void {
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < olds.length || j < news.length) {
    if (j >= news.length || (i < olds.length && olds[i] < news[j])) removed.push(olds[i++]);
    else if (i >= olds.length || news[j] < olds[i]) added.push(news[j++]);
    else {
      i++;
      j++;
    }
  }
  const paired = Math.min(removed.length, added.length);
  for (let k = 0; k < paired; k++) changes.push({ path, change: 'changed', old: removed[k], new: added[k] });
  for (let k = paired; k < removed.length; k++) changes.push({ path, change: 'removed', old: removed[k], new: null });
  for (let k = paired; k < added.length; k++) changes.push({ path, change: 'added', old: null, new: added[k] });
}
