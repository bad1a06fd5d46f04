// The baseline read on the worker thread (the built CLI, dist/dryRunWorker.js) must index exactly
// as one read on this thread: the worker packs the users, lower-cases their keys and decides
// which user holds each one before posting, in batches of 2,000 users.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { dryRunText } from '../../../server/src/engine/dryRun/formatReport';
import { WORKER_SCRIPT } from '../../../server/src/engine/dryRun/baselineIndex';
import { convertV1ToV2Text } from '../../../server/src/engine/convert/v1ToV2';
import { repoRoot } from '../../helpers/repoRoot';
import { identifier, run, tmpFolder, user, usersFile } from './fixtures';

/** More users than one batch holds, so that first-wins is decided across batches. */
const EXPORTED = 4500;

function exported(): string[] {
  const users: string[] = [];
  for (let k = 0; k < EXPORTED; k++) users.push(user(`u${k}`, '<user_group>UG</user_group>', identifier('BARCODE', `B${k}`)));
  // Hand-edited baseline: a later user (third batch) with an earlier one's barcode, in another
  // case, and one whose primary id repeats an earlier one's: the earlier users keep both.
  users.push(user('late1', '<user_group>UG</user_group>', identifier('BARCODE', 'b10')));
  users.push(user('U5', '<user_group>XX</user_group>', identifier('BARCODE', 'late2')));
  return users;
}

const FEED = usersFile(
  user('u5', '<user_group>PG</user_group>', identifier('BARCODE', 'B5')),
  user('u4400', '<user_group>UG</user_group>', identifier('BARCODE', 'B4400')),
  user('n1', '<user_group>UG</user_group>', identifier('BARCODE', 'B10')),
  user('late1', '<user_group>UG</user_group>', identifier('BARCODE', 'b10')),
  user('n2', '<user_group>UG</user_group>', identifier('BARCODE', 'LATE2')),
  user('u4499', '<user_group>UG</user_group>', identifier('BARCODE', 'B4499'), identifier('OTHER', 'B3000')),
);

describe('the baseline read on the worker thread', () => {
  const cli = join(repoRoot(), 'dist', 'cli.js');
  const built = existsSync(join(repoRoot(), 'dist', WORKER_SCRIPT));

  for (const matchIdType of ['primary_id', 'BARCODE']) {
    it(`reports what a baseline read here reports, matched by ${matchIdType}`, { skip: !built && 'dist/ not built' }, async () => {
      const dir = tmpFolder();
      const baseline = usersFile(...exported());
      writeFileSync(join(dir, 'export.xml'), baseline);
      writeFileSync(join(dir, 'feed.xml'), FEED);
      writeFileSync(join(dir, 'alma-sis.config.json'), JSON.stringify({ defaultProfile: 'P', profiles: [{ code: 'P', xsdVersion: 2, matchIdType }] }));
      const here = await run(FEED, baseline, { settings: { ...DEFAULT_SETTINGS, matchIdType }, matchIdType });
      const worker = spawnSync(process.execPath, [cli, 'dry-run', 'feed.xml', '--baseline', 'export.xml', '--config', 'alma-sis.config.json', '--no-progress'], { cwd: dir, encoding: 'utf8' });
      assert.equal(worker.stderr, '');
      assert.equal(worker.stdout, [...dryRunText(here)].join(''));
      assert.equal(here.baseline.users, EXPORTED + 2);
      // What first-wins decides in the hand-edited baseline: u5 is the first U5 (group UG, not XX);
      // b10 is u10's (case-only differences are no clash, as validate says); B10 matches u10.
      const shape = here.users.map((u) => `${u.primaryId} ${u.outcome}${u.reason ? `/${u.reason}` : ''}`);
      assert.deepEqual(shape, matchIdType === 'primary_id'
        ? ['u5 updated', 'u4400 unchanged', 'n1 rejected/identifier-taken', 'late1 unchanged', 'n2 new', 'u4499 rejected/identifier-taken']
        : ['u5 updated', 'u4400 unchanged', 'n1 updated', 'late1 rejected/identifier-taken', 'n2 updated', 'u4499 rejected/identifier-taken']);
      assert.deepEqual(here.users[0].changes.find((c) => c.path === 'user_group'), { path: 'user_group', change: 'changed', old: 'UG', new: 'PG' });
      const detail = (primaryId: string) => here.users.find((u) => u.primaryId === primaryId)?.detail ?? '';
      if (matchIdType === 'primary_id') assert.equal(detail('n1'), 'BARCODE B10 belongs to existing user u10 (export.xml:13)');
      else assert.equal(detail('late1'), 'primary_id late1 belongs to existing user late1 (export.xml:4503)');
      assert.equal(detail('u4499'), 'OTHER B3000 belongs to existing user u3000 (export.xml:3003)');
    });
  }

  it('reads a v1 export through the v1 to v2 mapping as a read here does, against a v2 feed', { skip: !built && 'dist/ not built' }, async () => {
    const dir = tmpFolder();
    const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');
    const feed = convertV1ToV2Text(v1).text.replace('<user_group>STUDENT</user_group>', '<user_group>STAFF</user_group>');
    writeFileSync(join(dir, 'export.xml'), v1);
    writeFileSync(join(dir, 'feed.xml'), feed);
    const here = await run(feed, v1);
    const worker = spawnSync(process.execPath, [cli, 'dry-run', 'feed.xml', '--baseline', 'export.xml', '--no-progress'], { cwd: dir, encoding: 'utf8' });
    assert.equal(worker.stderr, '');
    assert.equal(worker.stdout, [...dryRunText(here)].join(''));
    assert.match(worker.stdout, /^feed\.xml:\d+: updated t\.ngata: user_group "STUDENT" -> "STAFF"\nnote: export\.xml is User XSD v1/);
  });
});
