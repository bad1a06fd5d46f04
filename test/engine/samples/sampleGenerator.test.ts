import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { resolveProfile } from '../../../server/src/engine/config/resolveProfile';
import { DEFAULT_SETTINGS, type ValidationSettings } from '../../../server/src/engine/config/types';
import { mulberry32, sampleChunks, sampleText, seedNumber, writeSample, type SampleOptions } from '../../../server/src/engine/samples/sampleGenerator';
import { validateText } from '../../../server/src/engine/validation/validateDocument';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { validateInputs } from '../../../server/src/engine/validation/validateSet';
import { missingTool, NO_USER_XSD, userXsdPath } from '../../helpers/prerequisites';
import { repoRoot } from '../../helpers/repoRoot';

/** Errors and warnings only: infos (v1-deprecated) are allowed in a valid sample. */
function problems(text: string, settings: ValidationSettings = DEFAULT_SETTINGS): string[] {
  return validateText(text, 'sample.xml', settings)
    .findings.filter((f) => f.severity !== 'info')
    .map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.rule} ${f.message}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'alma-sis-sample-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('sample files', () => {
  it('gives the same bytes for the same seed and different bytes for another', () => {
    const options: SampleOptions = { users: 40, seed: 42 };
    assert.equal(sampleText(options), sampleText(options));
    assert.notEqual(sampleText(options), sampleText({ ...options, seed: 43 }));
    assert.equal(sampleText({ users: 5, seed: 'nightly' }), sampleText({ users: 5, seed: 'nightly' }));
    assert.notEqual(sampleText({ users: 5, seed: 'nightly' }), sampleText({ users: 5, seed: 'weekly' }));
    assert.equal(sampleText({ users: 5, seed: '42' }), sampleText({ users: 5, seed: 42 }));
  });

  it('gives files made with different seeds identifiers of their own: they validate together with no clash', async () => {
    // 1 and 11, 12 and 2: seeds whose digits begin alike; the largest seed; a text seed; researchers (ORCIDs).
    const seeds: { seed: number | string; researchers?: boolean; schema?: 1 }[] = [
      { seed: 1 }, { seed: 11 }, { seed: 12 }, { seed: 2 }, { seed: 4294967295 }, { seed: 'nightly' }, { seed: 5, researchers: true }, { seed: 6, researchers: true },
    ];
    const dir = mkdtempSync(join(tmp, 'seeds-'));
    const paths = seeds.map((options, k) => {
      const path = join(dir, `${String(k).padStart(2, '0')}.xml`);
      // Enough users that serials reach the digits a shorter seed would need to look like a longer one.
      writeFileSync(path, sampleText({ users: 120, ...options }));
      return path;
    });
    const set = await validateInputs((await expandInputs(paths)).documents, DEFAULT_SETTINGS);
    assert.equal(set.documents.length, seeds.length);
    for (const document of set.documents) {
      assert.equal(document.users, 120);
      const problems = document.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule} ${f.message}`);
      assert.deepEqual(problems, [], document.path);
    }
    // The same seed again gives the same users, and the check above does see such a clash.
    const copy = join(dir, 'copy.xml');
    writeFileSync(copy, sampleText({ users: 120, seed: 1 }));
    const again = await validateInputs((await expandInputs([paths[0], copy])).documents, DEFAULT_SETTINGS);
    const clashes = again.documents[1].findings.filter((f) => f.rule === 'duplicate-identifier');
    // Each user's primary_id and both its identifiers (a barcode and UNIV_ID).
    assert.equal(clashes.length, 120 * 3, clashes.map((f) => f.message).slice(0, 3).join('\n'));
  });

  it('does not depend on the clock: dates count from a fixed reference day', () => {
    const text = sampleText({ users: 20, seed: 9 });
    assert.equal(sampleText({ users: 20, seed: 9, referenceDate: '2026-09-01' }), text);
    assert.notEqual(sampleText({ users: 20, seed: 9, referenceDate: '2027-09-01' }), text);
  });

  it('writes valid v2 users with no error or warning at default settings, for several seeds', () => {
    for (const seed of [1, 2, 3, 'abc']) {
      const text = sampleText({ users: 150, seed });
      assert.deepEqual(problems(text), [], `seed ${seed}`);
      assert.equal(validateText(text, 's.xml', DEFAULT_SETTINGS).users, 150);
    }
  });

  it('writes valid v1 and researcher files', () => {
    const v1 = sampleText({ schema: 1, users: 100, seed: 5 });
    assert.match(v1, /<userRecords xmlns="http:\/\/com\/exlibris\/digitool\/repository\/extsystem\/xmlbeans">/);
    assert.deepEqual(problems(v1), []);
    assert.deepEqual(validateText(v1, 's.xml', DEFAULT_SETTINGS).findings.map((f) => f.rule), ['v1-deprecated']);
    const researchers = sampleText({ users: 60, seed: 5, researchers: true });
    assert.equal((researchers.match(/<is_researcher>true<\/is_researcher>/g) ?? []).length, 60);
    assert.deepEqual(problems(researchers), []);
    assert.deepEqual(problems(researchers, { ...DEFAULT_SETTINGS, usedFor: 'researchers' }), []);
    assert.throws(() => sampleText({ schema: 1, researchers: true }), /v2 only/);
  });

  it("takes codes from the profile's code tables and carries its match identifier", async () => {
    const { settings, profile } = await resolveProfile({ configPath: join(repoRoot(), 'samples', 'alma-sis.config.json'), searchFrom: tmp });
    const text = sampleText({ users: 150, seed: 11, codeTables: settings.codeTables, matchIdType: profile?.matchIdType });
    assert.deepEqual(problems(text, settings), []);

    const codeTables = {
      userGroups: [{ code: 'UNDERGRAD', description: 'Undergraduates' }],
      identifierTypes: [{ code: 'STUDENT_NO' }, { code: 'LIBCARD', description: 'Library card' }],
      campusCodes: [{ code: 'EAST' }],
    };
    const custom = sampleText({ users: 30, seed: 3, codeTables, matchIdType: 'LIBCARD' });
    const customSettings: ValidationSettings = { ...DEFAULT_SETTINGS, codeTables, matchIdType: 'LIBCARD' };
    assert.deepEqual(problems(custom, customSettings), []);
    assert.equal((custom.match(/<user_group desc="Undergraduates">UNDERGRAD<\/user_group>/g) ?? []).length, 30);
    assert.equal((custom.match(/<id_type desc="Library card">LIBCARD<\/id_type>/g) ?? []).length, 30);
    assert.doesNotMatch(custom, />STUDENT<|>MAIN</);
  });

  it('shows every field SIS loads in the first user, with non-ASCII names somewhere', () => {
    const text = sampleText({ users: 1, seed: 1 });
    for (const name of [
      'primary_id', 'first_name', 'middle_name', 'last_name', 'pref_first_name', 'pref_middle_name', 'pref_last_name', 'pin_number',
      'user_title', 'job_category', 'job_description', 'gender', 'user_group', 'campus_code', 'web_site_url', 'cataloger_level',
      'preferred_language', 'birth_date', 'expiry_date', 'purge_date', 'status', 'line1', 'line2', 'city', 'postal_code', 'country',
      'address_note', 'start_date', 'end_date', 'address_type', 'email_address', 'description', 'email_type', 'phone_number',
      'phone_type', 'id_type', 'value', 'block_type', 'block_description', 'block_status', 'block_note', 'note_type', 'note_text',
      'user_viewable', 'popup_note', 'statistic_category', 'category_type', 'rs_library', 'library_notice',
    ]) {
      assert.match(text, new RegExp(`<${name}[ >]`), name);
    }
    assert.match(sampleText({ users: 50, seed: 1 }), /<first_name>[^<]*[^\x00-\x7f][^<]*<\/first_name>/);
  });

  it('keeps purge dates after expiry dates and expiry after the reference day', () => {
    const text = sampleText({ users: 200, seed: 8 });
    const expiries = [...text.matchAll(/<expiry_date>([\d-]+)Z/g)].map((m) => m[1]);
    const purges = [...text.matchAll(/<purge_date>([\d-]+)Z/g)].map((m) => m[1]);
    assert.equal(expiries.length, 200);
    expiries.forEach((expiry, i) => {
      assert.ok(expiry > '2026-09-01', expiry);
      assert.ok(purges[i] > expiry, `${purges[i]} after ${expiry}`);
    });
  });

  it('is made one user at a time and written in bounded pieces, waiting for a full stream', async () => {
    assert.equal([...sampleChunks({ users: 25 })].length, 27);
    const sizes: number[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        sizes.push(chunk.length);
        setImmediate(done);
      },
    });
    await writeSample({ users: 3000, seed: 2 }, sink);
    sink.end();
    assert.ok(sizes.length > 20, `${sizes.length} writes`);
    assert.ok(Math.max(...sizes) < 200_000, `largest write ${Math.max(...sizes)}`);
  });

  it('passes xmllint --schema rest_user.xsd (v2, and researchers)', { skip: missingTool('xmllint', 'libxml2-utils') ?? (userXsdPath() ? undefined : NO_USER_XSD) }, () => {
    for (const [name, options] of [['users', { users: 200, seed: 4 }], ['researchers', { users: 50, seed: 4, researchers: true }]] as const) {
      const file = join(tmp, `${name}.xml`);
      writeFileSync(file, sampleText(options));
      const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', userXsdPath()!, file], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
    }
  });

  it('has a PRNG that repeats for a seed, and hashes text seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const first = [a(), a(), a()];
    assert.deepEqual([b(), b(), b()], first);
    assert.ok(first.every((x) => x >= 0 && x < 1));
    assert.equal(seedNumber('12'), 12);
    assert.notEqual(seedNumber('nightly'), seedNumber('nightlz'));
  });
});
