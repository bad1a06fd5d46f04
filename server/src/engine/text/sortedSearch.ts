/**
 * The index of the last entry at or before `value` in an ascending array (binary search); 0 when
 * even the first is after it. Line starts, blocks of lines and pieces of text are all found so.
 */
export function lastAtOrBefore(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}
