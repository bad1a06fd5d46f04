import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyMap, KeySet, KeyTable, keyHash } from '../../../server/src/engine/validation/keyTable';
import { randomFor } from '../../helpers/userFileMutator';

interface Entry {
  key: string;
  n: number;
}

const hashesOf = (table: KeyTable<Entry>) => {
  const hashes: number[] = [];
  table.forEachHash((hash) => hashes.push(hash));
  return hashes.sort();
};

const usesMap = (table: object) => (table as unknown as { fallback: Map<string, number> | null }).fallback !== null;

test('the key table answers as a Map that keeps the first value of each key, through growth', () => {
  for (let seed = 0; seed < 5; seed++) {
    const random = randomFor(20261207, seed);
    const table = new KeyTable<Entry>();
    const model = new Map<string, Entry>();
    const order: Entry[] = [];
    const at = new Map<string, number>();
    // Few distinct keys for some seeds (many repeats), many for others (the table grows 5 times).
    const distinct = seed % 2 === 0 ? 300 : 200_000;
    for (let k = 0; k < 150_000; k++) {
      const key = `${random.chance(0.1) ? 'ID' : ''}${random.int(distinct)}${random.chance(0.05) ? 'é' : ''}`;
      const entry = { key, n: k };
      const roll = random.int(10);
      if (roll < 7) {
        // add() and addOrFind() both store; the latter says where the first value of the key is.
        const found = roll < 4 ? (table.add(entry) ? -1 : -2) : table.addOrFind(entry);
        const held = model.get(key);
        if (held === undefined) {
          assert.equal(found, -1, `seed ${seed}, step ${k}: store ${key}`);
          model.set(key, entry);
          at.set(key, order.length);
          order.push(entry);
        } else {
          assert.equal(found, roll < 4 ? -2 : at.get(key), `seed ${seed}, step ${k}: store ${key} again`);
        }
      } else if (roll === 7) {
        assert.equal(table.indexOf(key), at.get(key) ?? -1, `seed ${seed}, step ${k}: indexOf ${key}`);
      } else {
        assert.equal(table.get(key), model.get(key), `seed ${seed}, step ${k}: get ${key}`);
      }
    }
    assert.equal(table.size, model.size);
    assert.deepEqual([...table], order, 'iterates in the order stored');
    assert.deepEqual(hashesOf(table), order.map((entry) => keyHash(entry.key)).sort(), 'one hash per key, as stored');
    assert.equal(usesMap(table), false, 'ordinary keys never need the Map');
  }
});

test('keys that collide on purpose move the table to a Map, and nothing is lost', () => {
  // One hash for every key: each insertion walks past all the earlier ones.
  const table = new KeyTable<Entry>();
  const entries = Array.from({ length: 5_000 }, (_, n) => ({ key: `k${n}`, n }));
  for (const entry of entries) assert.equal(table.add(entry, 42), true);
  assert.equal(usesMap(table), true, 'past 64 slots the table gives up probing');
  for (const entry of entries) assert.equal(table.get(entry.key, 42), entry);
  assert.equal(table.add({ key: 'k7', n: -1 }, 42), false, 'still the first value');
  assert.equal(table.get('k7')!.n, 7);
  assert.equal(table.get('absent'), undefined);
  assert.equal(table.addOrFind({ key: 'k9', n: -1 }, 42), 9, 'where the first value of the key is');
  assert.equal(table.indexOf('k4999'), 4999);
  assert.equal(table.addOrFind({ key: 'new', n: 5_000 }), -1);
  entries.push({ key: 'new', n: 5_000 });
  assert.deepEqual([...table], entries);
  // The Map keeps no hashes: they are keyHash's again.
  assert.deepEqual(hashesOf(table), entries.map((entry) => keyHash(entry.key)).sort());

  // Hashes that follow one another fill one run of slots without a long insertion; the first
  // lookup that walks it moves the table too.
  const run = new KeyTable<Entry>();
  for (let n = 0; n < 1_000; n++) run.add({ key: `r${n}`, n }, n);
  assert.equal(usesMap(run), false);
  assert.equal(run.get('absent', 0), undefined);
  assert.equal(usesMap(run), true);
  for (let n = 0; n < 1_000; n++) assert.equal(run.get(`r${n}`, n)!.n, n);
});

test('the key map answers get, set and delete as a Map does, and the key set add as a Set does', () => {
  for (const collide of [false, true]) {
    const random = randomFor(20261207, collide ? 1 : 0);
    const map = new KeyMap<number>();
    const set = new KeySet();
    const modelMap = new Map<string, number>();
    const modelSet = new Set<string>();
    const setOrder = new Map<string, number>();
    // Colliding hashes move both tables to their Map part early on; the answers must not change.
    const hash = (key: string) => (collide ? 7 : keyHash(key));
    for (let k = 0; k < 60_000; k++) {
      const key = `k${random.int(collide ? 400 : 20_000)}`;
      const roll = random.int(10);
      if (roll < 5) {
        map.set(key, k, hash(key));
        modelMap.set(key, k);
      } else if (roll < 7) {
        map.delete(key, hash(key));
        modelMap.delete(key);
      } else if (roll < 9) {
        assert.equal(map.get(key, hash(key)), modelMap.get(key), `step ${k}: get ${key}`);
      } else if (k % 2 === 0) {
        assert.equal(set.add(key, hash(key)), !modelSet.has(key), `step ${k}: add ${key}`);
        if (!modelSet.has(key)) setOrder.set(key, modelSet.size);
        modelSet.add(key);
      } else {
        // The index of a key already there is its place in the order added.
        assert.equal(set.addOrFind(key, hash(key)), setOrder.get(key) ?? -1, `step ${k}: addOrFind ${key}`);
        if (!modelSet.has(key)) setOrder.set(key, modelSet.size);
        modelSet.add(key);
      }
    }
    for (const [key, value] of modelMap) assert.equal(map.get(key, hash(key)), value);
    assert.equal(set.size, modelSet.size);
    assert.equal(usesMap(map), collide, 'only colliding keys need the Map');
    assert.equal(usesMap(set), collide);
  }
});

test('keyHash is FNV-1a over UTF-16 units, the number the split validation compares across threads', () => {
  // Reference values of 32-bit FNV-1a (offset basis 0x811c9dc5, prime 0x01000193) over ASCII bytes.
  assert.equal(keyHash('') >>> 0, 0x811c9dc5);
  assert.equal(keyHash('a') >>> 0, 0xe40c292c);
  assert.equal(keyHash('foobar') >>> 0, 0xbf9cf968);
  assert.notEqual(keyHash('é'), keyHash('e'));
});
