import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XmlScanner } from '../../../server/src/engine/xml/scanner';
import { DocumentChecker } from '../../../server/src/engine/validation/documentChecker';
import { IdentifierRegistry } from '../../../server/src/engine/validation/identifiers';
import { newSetState } from '../../../server/src/engine/validation/validateDocument';
import { loadCodeTables } from '../../../server/src/engine/config/codeTables';
import type { ValidationSettings } from '../../../server/src/engine/config/types';
import { repoRoot } from '../../helpers/repoRoot';

/**
 * Damaged input, as a property: every sample with a few random edits (bytes that matter to XML
 * above all) must validate without throwing, and give the same findings whether it arrives whole
 * or in small chunks. A longer run of the same found the two chunk-boundary bugs fixed in the scanner.
 */

const samples = join(repoRoot(), 'samples');
const seeds = [
  ...['users-v2.xml', 'users-v1.xml', 'researchers-v2.xml'].map((name) => join(samples, 'valid', name)),
  ...readdirSync(join(samples, 'invalid')).filter((name) => name.endsWith('.xml')).map((name) => join(samples, 'invalid', name)),
].map((path) => readFileSync(path));
const SPECIAL = Buffer.from('<>&"\'/=![]?-;#x\u00e9\n\r\t\u0000 ');

function validate(bytes: Buffer, chunk: number, settings: ValidationSettings): string[] {
  const checker = new DocumentChecker('m.xml', settings, new IdentifierRegistry(), newSetState());
  const scanner = new XmlScanner(checker);
  for (let offset = 0; offset < bytes.length; offset += chunk) scanner.write(bytes.subarray(offset, offset + chunk));
  scanner.end();
  return checker.result().findings.map((f) => `${f.rule} ${JSON.stringify(f.range)} ${f.message}`);
}

test('3,000 damaged samples: no exception, and the same findings whatever the chunking', async () => {
  const codeTables = await loadCodeTables(join(samples, 'code-tables.json'));
  let x = 20261125;
  const random = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  for (let n = 0; n < 3000; n++) {
    const base = seeds[random(seeds.length)];
    const cuts = Array.from({ length: 1 + random(6) }, () => random(base.length + 1)).sort((a, b) => a - b);
    const parts: Buffer[] = [];
    let position = 0;
    for (const cut of cuts) {
      parts.push(base.subarray(position, cut));
      const edit = random(4);
      if (edit === 0) parts.push(Buffer.from([SPECIAL[random(SPECIAL.length)]]));
      else if (edit === 1) parts.push(Buffer.from([random(256)]));
      else if (edit === 2) parts.push(base.subarray(random(base.length), random(base.length)));
      position = edit === 3 ? Math.min(base.length, cut + random(20)) : cut;
    }
    parts.push(base.subarray(position));
    const bytes = Buffer.concat(parts);
    const settings: ValidationSettings = {
      rules: {},
      strict: random(2) === 0,
      codeTables,
      usedFor: (['users', 'researchers', 'both'] as const)[random(3)],
      matchIdType: random(2) ? 'primary_id' : 'BARCODE',
      xsdVersion: random(3) === 0 ? 1 : 2,
    };
    const whole = validate(bytes, Math.max(1, bytes.length), settings);
    const chunked = validate(bytes, 1 + random(17), settings);
    assert.deepEqual(chunked, whole, `mutant ${n}:\n${bytes.toString('latin1')}`);
  }
});
