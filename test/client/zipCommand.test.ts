import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/repoRoot';

/*
 * "Alma SIS: Create Zip" as the manifest and the client module declare it. What the command does
 * is the engine's (test/engine/packaging); running it in an editor is the code-server harness's.
 */

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};
const source = readFileSync(join(root, 'client', 'src', 'commands', 'zipCommand.ts'), 'utf8');

test('Create Zip is in the palette as "Alma SIS: Create Zip" and on XML files and folders in the explorer', () => {
  const command = manifest.contributes.commands.find((c) => c.command === 'almaSis.createZip');
  assert.deepEqual(command, { command: 'almaSis.createZip', title: 'Create Zip', category: 'Alma SIS' });
  const menu = manifest.contributes.menus['explorer/context'].find((m) => m.command === 'almaSis.createZip');
  assert.equal(menu?.when, 'resourceExtname == .xml || explorerResourceIsFolder');
});

test('the client module reaches the engine only through its index, never the CLI', () => {
  const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  assert.ok(imports.includes('../../../server/src/engine/index'), imports.join(', '));
  assert.ok(!imports.some((path) => path.includes('/cli/') || (path.includes('/engine/') && !path.endsWith('/engine/index'))), imports.join(', '));
  assert.match(source, /registerCommand\(CREATE_ZIP/);
});
