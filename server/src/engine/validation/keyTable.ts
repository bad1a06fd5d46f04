/**
 * The identifier registry's table: string keys to the first value stored under each, in open
 * addressing over typed arrays. A feed's identifiers almost never repeat, so nearly every lookup
 * is a miss: here a miss reads one slot of two compact arrays (hash, index), where a Map with a
 * million keys walks a chain through its own arrays and compares strings on the way.
 *
 * Bounded whatever the keys: the hash is not seeded (the split validation's KeyFilter uses the
 * same one on another thread), so a file made of colliding keys is possible; once a lookup or an
 * insertion walks more than MAX_PROBE slots, the table moves everything to a Map, whose hash is
 * seeded, and stays there.
 */

/** FNV-1a over the UTF-16 units: the same number on every thread for the same key. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), 0x01000193);
  return h | 0;
}

/** Slots looked at before the keys are taken to collide on purpose. */
const MAX_PROBE = 64;

const INITIAL_CAPACITY = 1 << 12;

export class KeyTable<V extends { readonly key: string }> {
  /** Per slot: 1 + the index of its value in `values`, 0 when empty. */
  private slots = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: its key's hash, compared before the key itself. */
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  /** The values in the order stored. */
  private readonly values: V[] = [];
  /** Each key's index in `values`, once keys collided past MAX_PROBE (see above). */
  private fallback: Map<string, number> | null = null;

  get size(): number {
    return this.values.length;
  }

  get(key: string, hash = keyHash(key)): V | undefined {
    const at = this.indexOf(key, hash);
    return at < 0 ? undefined : this.values[at];
  }

  /** The index, in the order stored, of the value stored under `key`; -1 when there is none. */
  indexOf(key: string, hash = keyHash(key)): number {
    if (this.fallback !== null) return this.fallback.get(key) ?? -1;
    const { slots, hashes, mask, values } = this;
    for (let i = hash & mask, probes = 0; ; i = (i + 1) & mask, probes++) {
      const slot = slots[i];
      if (slot === 0) return -1;
      if (hashes[i] === hash && values[slot - 1].key === key) return slot - 1;
      if (probes === MAX_PROBE) {
        this.useFallback();
        return this.fallback!.get(key) ?? -1;
      }
    }
  }

  /** Stores `value` under its key unless one is there already; true when stored. */
  add(value: V, hash = keyHash(value.key)): boolean {
    return this.addOrFind(value, hash) < 0;
  }

  /**
   * Stores `value` under its key and returns -1, or returns the index (in the order stored) of the
   * value that is there already: one walk of the slots for what would be a lookup and an insertion.
   */
  addOrFind(value: V, hash = keyHash(value.key)): number {
    if (this.fallback !== null) return this.addToFallback(value);
    const key = value.key;
    const { slots, hashes, mask, values } = this;
    let i = hash & mask;
    let probes = 0;
    for (let slot = slots[i]; slot !== 0; i = (i + 1) & mask, slot = slots[i], probes++) {
      if (hashes[i] === hash && values[slot - 1].key === key) return slot - 1;
      if (probes === MAX_PROBE) {
        this.useFallback();
        return this.addToFallback(value);
      }
    }
    values.push(value);
    slots[i] = values.length;
    hashes[i] = hash;
    // At most half full, so that a miss nearly always ends at the first or second slot.
    if (values.length * 2 > mask + 1) this.grow();
    return -1;
  }

  /** The values in the order stored. */
  [Symbol.iterator](): IterableIterator<V> {
    return this.values[Symbol.iterator]();
  }

  /** Calls `f` with each stored key's hash, in no set order: the one it was stored with (keyHash's, once the table is a Map). */
  forEachHash(f: (hash: number) => void): void {
    if (this.fallback !== null) {
      for (const value of this.values) f(keyHash(value.key));
      return;
    }
    const { slots, hashes } = this;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) f(hashes[i]);
  }

  private addToFallback(value: V): number {
    const fallback = this.fallback!;
    const at = fallback.get(value.key);
    if (at !== undefined) return at;
    fallback.set(value.key, this.values.length);
    this.values.push(value);
    return -1;
  }

  private useFallback(): void {
    const fallback = new Map<string, number>();
    this.values.forEach((value, at) => fallback.set(value.key, at));
    this.fallback = fallback;
    this.slots = new Int32Array(0);
    this.hashes = new Int32Array(0);
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const slots = new Int32Array(capacity);
    const hashes = new Int32Array(capacity);
    const mask = capacity - 1;
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    for (let k = 0; k < oldSlots.length; k++) {
      const slot = oldSlots[k];
      if (slot === 0) continue;
      let i = oldHashes[k] & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = slot;
      hashes[i] = oldHashes[k];
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = mask;
  }
}
