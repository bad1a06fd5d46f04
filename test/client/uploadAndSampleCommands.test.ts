import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/repoRoot';

/*
 * "Upload to SFTP", "Generate Sample File" and "New File from This User" as the manifest and the
 * client modules declare them, and the client bundle loading ssh2 outside the editor. What the
 * commands do is the engine's (test/engine/upload, test/engine/samples), run by the server
 * (test/lsp/commands.stdio.test.ts).
 */

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};
const upload = readFileSync(join(root, 'client', 'src', 'commands', 'uploadCommand.ts'), 'utf8');

test('the three commands are in the palette under Alma SIS, and Upload on zips in the explorer', () => {
  for (const [id, title] of [['almaSis.upload', 'Upload to SFTP'], ['almaSis.generateSample', 'Generate Sample File'], ['almaSis.newFileFromUser', 'New File from This User']]) {
    const command = manifest.contributes.commands.find((c) => c.command === id);
    assert.equal(command?.title, title, id);
    assert.equal(command?.category, 'Alma SIS', id);
  }
  assert.equal(manifest.contributes.menus['explorer/context'].find((m) => m.command === 'almaSis.upload')?.when, 'resourceExtname == .zip');
});

test('secrets stay in secret storage: the upload module writes nothing to a log or the output channel', () => {
  assert.match(upload, /context\.secrets/);
  assert.match(upload, /password: true/);
  assert.doesNotMatch(upload, /console\.|appendLine|OutputChannel|\.info\(|\.error\(|getConfiguration\([^)]*\)\.update/);
});

test('the client bundle loads in plain Node and holds no engine: SFTP and the rest run in the server', { skip: existsSync(join(root, 'dist', 'client.js')) ? undefined : 'dist/client.js is not built (npm run build)' }, () => {
  // vscode exists only inside the editor: a stand-in that answers every property lets the bundle load.
  const script = `
    const Module = require('module');
    const load = Module._load;
    function anything() {
      const proto = new Proxy({}, { get: (t, k) => (k === 'then' ? undefined : anything()) });
      return new Proxy(class {}, { get: (t, k) => (k in t ? t[k] : k === 'then' ? undefined : anything()), apply: () => anything(), getPrototypeOf: () => proto });
    }
    const stub = anything();
    Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };
    require(${JSON.stringify(join(root, 'dist', 'client.js'))});
    process.stdout.write('loaded');
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(run.stdout, 'loaded', run.stderr);
  const client = readFileSync(join(root, 'dist', 'client.js'), 'utf8');
  assert.ok(client.length <= 600 * 1024, `dist/client.js is ${Math.round(client.length / 1024)} KB; it should stay under 600 KB`);
  assert.doesNotMatch(client, /sshcrypto|ssh2-sftp-client|@xmldom/);
  // ssh2's native parts stay outside the server bundle, found at run time when installed.
  const server = readFileSync(join(root, 'dist', 'server.js'), 'utf8');
  assert.match(server, /require\("\.\/crypto\/build\/Release\/sshcrypto\.node"\)/);
  assert.match(server, /import_ssh2_sftp_client = __toESM\(require_/);
});
