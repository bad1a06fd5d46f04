/**
 * Levenshtein distance when it is at most `limit`, else `limit + 1`. Only the cells within `limit`
 * of the diagonal can hold such a distance, so only that band is computed: the cost is
 * O(limit · length), not O(a · b), whatever the strings (a name may be a megabyte long).
 */
export function editDistance(a: string, b: string, limit = 3): number {
  if (a.length > b.length) [a, b] = [b, a];
  const m = a.length;
  const n = b.length;
  const over = limit + 1;
  if (n - m > limit) return over;
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j <= limit ? j : over;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - limit);
    const hi = Math.min(n, i + limit);
    // The cells just outside the band read as "too far".
    cur[lo - 1] = lo === 1 ? Math.min(i, over) : over;
    if (hi < n) cur[hi + 1] = over;
    let rowMin = cur[lo - 1];
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const d = Math.min(prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1), prev[j] + 1, cur[j - 1] + 1);
      cur[j] = d > over ? over : d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return over;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[n], over);
}

/** The candidates closest to `word` (case-insensitive), within a distance that scales with its length. */
export function nearest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best = limit + 1;
  let found: string[] = [];
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase(), limit);
    if (d < best) {
      best = d;
      found = [candidate];
    } else if (d === best && d <= limit) {
      found.push(candidate);
    }
  }
  return found.slice(0, max);
}

/** Counts characters as XSD's maxLength does: code points, not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}
