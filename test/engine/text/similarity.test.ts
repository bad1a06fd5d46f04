import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, nearest } from '../../../server/src/engine/text/similarity';

/** The textbook O(a·b) Levenshtein distance, to check the banded one against. */
function fullDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

test('editDistance gives the exact distance up to the limit, and limit + 1 beyond', () => {
  let x = 42;
  const random = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 16) % n;
  };
  const word = () => Array.from({ length: random(9) }, () => 'abc'[random(3)]).join('');
  for (let k = 0; k < 5000; k++) {
    const a = word();
    const b = word();
    for (const limit of [1, 2, 3]) {
      const full = fullDistance(a, b);
      assert.equal(editDistance(a, b, limit), full <= limit ? full : limit + 1, `${a} / ${b} limit ${limit}`);
    }
  }
  assert.equal(editDistance('last_name', 'lastname'), 1);
  assert.deepEqual(nearest('user_grup', ['user_group', 'user_title']), ['user_group']);
});

test('editDistance costs time linear in the length, even for long names sharing a prefix', () => {
  // Count the character reads: a full table would read a·b of them.
  const original = String.prototype.charCodeAt;
  const reads = (n: number): number => {
    const a = 'A'.repeat(n);
    const b = `${'A'.repeat(n)}B`;
    let count = 0;
    String.prototype.charCodeAt = function (this: string, index: number) {
      count++;
      return original.call(this, index);
    };
    try {
      assert.equal(editDistance(a, b, 3), 1);
    } finally {
      String.prototype.charCodeAt = original;
    }
    return count;
  };
  const small = reads(2_000);
  const large = reads(8_000);
  assert.ok(small > 0);
  // Linear: about 4 times the reads for 4 times the length (a full table would need 16 times).
  assert.ok(large / small < 5, `${small} reads for 2k characters, ${large} for 8k`);
  assert.ok(large < 8_000 * 10, `${large} reads for 8k characters`);
});
