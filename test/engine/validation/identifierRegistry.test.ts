import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdentifierRegistry, identifierUse, keyHash } from '../../../server/src/engine/validation/identifiers';

const use = (value: string, line: number, primary = true) => identifierUse(primary ? 'primary_id' : 'BARCODE', primary, value, line, 4, line, 4 + value.length);

test('a registry over another reads what the other holds first, keeps its own apart, and never changes the other', () => {
  const base = new IdentifierRegistry();
  base.setName = 'the STUDENTS feed';
  base.addDocument('/a/earlier.xml');
  const earlier = use('A1', 3);
  earlier.documentIndex = 0;
  earlier.userLabel = 'user A1';
  base.adopt(earlier);

  const over = IdentifierRegistry.over(base);
  assert.deepEqual(over.documentPaths, ['/a/earlier.xml']);
  assert.equal(over.setName, 'the STUDENTS feed');
  const doc = over.addDocument('/a/doc.xml');
  assert.equal(doc, 1);
  // The earlier file's holder comes first, also in another case.
  assert.equal(over.clash(use('a1', 10))?.first, earlier);
  assert.equal(over.clash(use('a1', 10))?.kind, 'duplicate', 'primary ids differing in case are the same');
  // A user registering a held key does not take it (its use is left as it was); a new key is its own.
  const again = use('A1', 20);
  const fresh = use('B2', 20);
  over.register([again, fresh], doc, 'user B2');
  assert.equal(over.clash(use('A1', 30))?.first, earlier);
  assert.equal(again.userLabel, '', 'not registered');
  assert.equal(over.clash(use('B2', 30))?.first, fresh);
  assert.equal(fresh.documentIndex, doc);
  over.adopt(use('A1', 40));
  assert.equal(over.clash(use('A1', 30))?.first, earlier, 'adopting a held key changes nothing');
  // The base is as it was: a second registry over it starts from the earlier file alone.
  assert.equal(base.clash(use('B2', 30)), null);
  assert.deepEqual(base.documentPaths, ['/a/earlier.xml']);
  const second = IdentifierRegistry.over(base);
  assert.equal(second.clash(use('B2', 30)), null);
  assert.equal(second.holds('a1'), true);
  // A filter kept on it holds both registries' keys.
  const filter = over.keepFilter();
  assert.equal(filter.mayHold(keyHash(earlier.key)), true);
  assert.equal(filter.mayHold(keyHash(fresh.key)), true);
});
