import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/repoRoot';

/*
 * "Alma SIS: Create Zip" as the manifest declares it. What the command does is the engine's
 * (test/engine/packaging), run by the server (test/lsp/commands.stdio.test.ts); running it in an
 * editor is the code-server harness's. Which modules the client may import: test/boundaries.test.ts.
 */

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};

test('Create Zip is in the palette as "Alma SIS: Create Zip" and on XML files and folders in the explorer', () => {
  const command = manifest.contributes.commands.find((c) => c.command === 'almaSis.createZip');
  assert.deepEqual(command, { command: 'almaSis.createZip', title: 'Create Zip', category: 'Alma SIS' });
  const menu = manifest.contributes.menus['explorer/context'].find((m) => m.command === 'almaSis.createZip');
  assert.equal(menu?.when, 'resourceExtname == .xml || explorerResourceIsFolder');
});
