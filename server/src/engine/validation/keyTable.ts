/**
 * Tables of string keys in open addressing over typed arrays, for the identifier registry and the
 * dry-run's index of who holds each identifier. A feed's identifiers almost never repeat, so
 * nearly every lookup is a miss: here a miss reads one slot of two compact arrays (hash, index),
 * where a Map with a million keys walks a chain through its own arrays and compares strings on
 * the way. A key's hash may come with it from another thread (keyHash is the same everywhere),
 * where a Map hashes every string it receives again.
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

/** Each key placed, numbered in the order placed; what the numbers stand for is the subclasses'. */
class KeyIndex {
  /** Per slot: 1 + the key's index in `keys`, 0 when empty. */
  private slots = new Int32Array(INITIAL_CAPACITY);
  /** Per slot: its key's hash, compared before the key itself. */
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  protected readonly keys: string[] = [];
  /** Each key's index, once keys collided past MAX_PROBE (see above). */
  private fallback: Map<string, number> | null = null;

  get size(): number {
    return this.keys.length;
  }

  /** The key's index in the order placed; -1 when it was never placed. */
  indexOf(key: string, hash = keyHash(key)): number {
    if (this.fallback !== null) return this.fallback.get(key) ?? -1;
    const { slots, hashes, mask, keys } = this;
    for (let i = hash & mask, probes = 0; ; i = (i + 1) & mask, probes++) {
      const slot = slots[i];
      if (slot === 0) return -1;
      if (hashes[i] === hash && keys[slot - 1] === key) return slot - 1;
      if (probes === MAX_PROBE) {
        this.useFallback();
        return this.fallback!.get(key) ?? -1;
      }
    }
  }

  /** The key's index: one walk of the slots for what would be a lookup and an insertion. A new key's is `size - 1` after. */
  protected place(key: string, hash: number): number {
    if (this.fallback !== null) return this.placeInFallback(key);
    const { slots, hashes, mask, keys } = this;
    let i = hash & mask;
    let probes = 0;
    for (let slot = slots[i]; slot !== 0; i = (i + 1) & mask, slot = slots[i], probes++) {
      if (hashes[i] === hash && keys[slot - 1] === key) return slot - 1;
      if (probes === MAX_PROBE) {
        this.useFallback();
        return this.placeInFallback(key);
      }
    }
    keys.push(key);
    slots[i] = keys.length;
    hashes[i] = hash;
    // At most half full, so that a miss nearly always ends at the first or second slot.
    if (keys.length * 2 > mask + 1) this.grow();
    return keys.length - 1;
  }

  /** Calls `f` with each placed key's hash, in no set order: the one it was placed with (keyHash's, once the table is a Map). */
  forEachHash(f: (hash: number) => void): void {
    if (this.fallback !== null) {
      for (const key of this.keys) f(keyHash(key));
      return;
    }
    const { slots, hashes } = this;
    for (let i = 0; i < slots.length; i++) if (slots[i] !== 0) f(hashes[i]);
  }

  private placeInFallback(key: string): number {
    const fallback = this.fallback!;
    const at = fallback.get(key);
    if (at !== undefined) return at;
    fallback.set(key, this.keys.length);
    this.keys.push(key);
    return this.keys.length - 1;
  }

  private useFallback(): void {
    const fallback = new Map<string, number>();
    this.keys.forEach((key, at) => fallback.set(key, at));
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

/** Values under their own `key`, the first stored under each kept: the identifier registry's holders. */
export class KeyTable<V extends { readonly key: string }> extends KeyIndex {
  /** The values in the order stored. */
  private readonly values: V[] = [];

  get(key: string, hash = keyHash(key)): V | undefined {
    const at = this.indexOf(key, hash);
    return at < 0 ? undefined : this.values[at];
  }

  /** Stores `value` under its key unless one is there already; true when stored. */
  add(value: V, hash = keyHash(value.key)): boolean {
    return this.addOrFind(value, hash) < 0;
  }

  /** Stores `value` under its key and returns -1, or returns the index (in the order stored) of the value that is there already. */
  addOrFind(value: V, hash = keyHash(value.key)): number {
    const size = this.size;
    const at = this.place(value.key, hash);
    if (at < size) return at;
    this.values.push(value);
    return -1;
  }

  /** The values in the order stored. */
  [Symbol.iterator](): IterableIterator<V> {
    return this.values[Symbol.iterator]();
  }
}

/** What a Set<string> does with add, and where each key was first added. */
export class KeySet extends KeyIndex {
  /** Adds the key; true when it was not there. */
  add(key: string, hash = keyHash(key)): boolean {
    return this.addOrFind(key, hash) < 0;
  }

  /** Adds the key and returns -1, or returns its index (in the order added) when it is there already. */
  addOrFind(key: string, hash = keyHash(key)): number {
    const size = this.size;
    const at = this.place(key, hash);
    return at < size ? at : -1;
  }
}

/**
 * What a Map<string, V> does with get, set and delete. A deleted key keeps its slot (with no
 * value), so the table never shrinks: its keys are those of a file or two, not a stream.
 */
export class KeyMap<V> extends KeyIndex {
  /** By key index; undefined: deleted. */
  private readonly values: (V | undefined)[] = [];

  get(key: string, hash = keyHash(key)): V | undefined {
    const at = this.indexOf(key, hash);
    return at < 0 ? undefined : this.values[at];
  }

  set(key: string, value: V, hash = keyHash(key)): void {
    this.values[this.place(key, hash)] = value;
  }

  delete(key: string, hash = keyHash(key)): void {
    const at = this.indexOf(key, hash);
    if (at >= 0) this.values[at] = undefined;
  }
}
