import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ExecuteCommandRequest } from 'vscode-languageserver-protocol';
import type { ServerCommands } from '../../server/src/protocol/messages';
import { repoRoot } from '../helpers/repoRoot';
import { StdioClient } from './stdioClient';

/*
 * alma-sis.previewXslConversion through the bundled server over stdio, in a workspace whose
 * profile has an XSL converter (test/fixtures/xsl): the output of the open buffer, with its
 * problems placed in the output.
 */

const fixtures = join(repoRoot(), 'test', 'fixtures', 'xsl');
let work: string;
let client: StdioClient;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'alma-sis-lsp-xsl-'));
  for (const file of ['alma-sis.config.json', 'plif-to-sis.xsl', 'legacy-plif.xml']) copyFileSync(join(fixtures, file), join(work, file));
  mkdirSync(join(work, 'elsewhere'));
  writeFileSync(join(work, 'elsewhere', 'alma-sis.config.json'), '{"profiles": [{"code": "PLAIN"}]}');
  copyFileSync(join(fixtures, 'legacy-plif.xml'), join(work, 'elsewhere', 'legacy-plif.xml'));
  client = new StdioClient();
  await client.initialize({}, work, { settings: {} });
});

after(async () => {
  await client.stop();
  rmSync(work, { recursive: true, force: true });
});

type Preview = ServerCommands['alma-sis.previewXslConversion'];

function preview(args: Preview['args']): Promise<Preview['result']> {
  return client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'alma-sis.previewXslConversion', arguments: [args] }) as Promise<Preview['result']>;
}

test('alma-sis.previewXslConversion answers the converter\'s output of the open buffer and its problems, placed in the output', async () => {
  const uri = pathToFileURL(join(work, 'legacy-plif.xml')).href;
  // The buffer, not the file: an unsaved edit plants a fourth error (a bad date for P0001).
  const text = readFileSync(join(work, 'legacy-plif.xml'), 'utf8').replace('<z305-expiry-date>20270630</z305-expiry-date>', '<z305-expiry-date>2027063</z305-expiry-date>');
  await client.open(uri, text);
  const previewUri = 'alma-sis-xsl:/legacy-plif.xml%20(after%20XSL)';
  const result = await preview({ uri, previewUri });
  assert.ok(result.converted, JSON.stringify(result));
  assert.equal(result.name, 'legacy-plif.xml (after XSL)');
  assert.equal(result.users, 5);
  assert.equal(result.stylesheet, join(work, 'plif-to-sis.xsl'));
  assert.deepEqual(result.stylesheetWarnings, []);
  const lines = result.text.split('\n');
  const placed = result.diagnostics.filter((d) => d.severity === 1).map((d) => ({ code: d.code, text: lines[d.range.start.line].slice(d.range.start.character, d.range.end.character) }));
  assert.deepEqual(placed, [
    { code: 'invalid-date', text: '2027-06-3' },
    { code: 'invalid-date', text: '2027-13-30' },
    { code: 'duplicate-identifier', text: 'B0001' },
    { code: 'duplicate-identifier-in-user', text: 'P0005' },
  ]);
  assert.equal(result.errors, 4);
  const duplicate = result.diagnostics.find((d) => d.code === 'duplicate-identifier')!;
  assert.equal(duplicate.relatedInformation?.[0].location.uri, previewUri);
  assert.ok(lines[duplicate.relatedInformation![0].location.range.start.line].includes('<value>B0001</value>'));
  await client.close(uri);

  // Closed: the file on disk, three errors.
  const fromDisk = await preview({ uri });
  assert.ok(fromDisk.converted);
  assert.equal(fromDisk.errors, 3);
});

test('a stylesheet that does not compile is an answer with its message and place; a profile without a converter says so', async () => {
  const uri = pathToFileURL(join(work, 'legacy-plif.xml')).href;
  const good = readFileSync(join(work, 'plif-to-sis.xsl'), 'utf8');
  writeFileSync(join(work, 'plif-to-sis.xsl'), good.replace('<status>ACTIVE</status>', '<status><xsl:frobnicate/></status>'));
  try {
    const failed = await preview({ uri });
    assert.equal(failed.converted, false);
    assert.ok(!failed.converted && failed.reason === 'failed');
    assert.match(failed.message, /plif-to-sis\.xsl:20:15: the XSL converter does not compile: xsl:frobnicate is not a known XSLT element \[XTSE0010\]$/);
    assert.deepEqual(failed.at, { line: 19, character: 14 });
  } finally {
    writeFileSync(join(work, 'plif-to-sis.xsl'), good);
  }
  const none = await preview({ uri: pathToFileURL(join(work, 'elsewhere', 'legacy-plif.xml')).href });
  assert.deepEqual(none, {
    converted: false,
    reason: 'no-converter',
    message: 'profile PLAIN has no xslConverter: set profiles[].xslConverter to the stylesheet, relative to the configuration',
    configPath: join(work, 'elsewhere', 'alma-sis.config.json'),
  });
});

test('in a workspace the client says is not trusted, no converter runs (preview, zip, dry-run) until the person trusts it', async () => {
  const untrusted = new StdioClient();
  await untrusted.initialize({}, work, { settings: {}, trusted: false });
  try {
    const uri = pathToFileURL(join(work, 'legacy-plif.xml')).href;
    const ask = (command: string, args: unknown) => untrusted.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] });
    const refused = (await ask('alma-sis.previewXslConversion', { uri })) as Preview['result'];
    assert.ok(!refused.converted && refused.reason === 'untrusted', JSON.stringify(refused));
    assert.match(refused.message, /^profile PLIF's XSL converter \(plif-to-sis\.xsl\) is a program this workspace brings, and the workspace is not trusted/);
    await assert.rejects(ask('alma-sis.createZip', { inputs: [uri], out: join(work, 'never.zip') }), /workspace is not trusted/);
    // Trusted now: the same request converts.
    await untrusted.connection.sendNotification('almaSis/workspaceTrusted', {});
    const converted = (await ask('alma-sis.previewXslConversion', { uri })) as Preview['result'];
    assert.ok(converted.converted, JSON.stringify(converted));
  } finally {
    await untrusted.stop();
  }
});
