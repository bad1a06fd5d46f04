import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../server/src/engine/index';
import { CONFIGURATION_SECTION } from '../../server/src/protocol/messages';
import { ALMA_LANGUAGE_ID, DEFAULT_SETTINGS as DEFAULT_CLIENT_SETTINGS, SETTINGS_SECTION } from '../../client/src/settings';
import { RESTART_SERVER, SHOW_OUTPUT, VALIDATE_ON_DISK } from '../../client/src/commands/serverCommandIds';
import { CREATE_CONFIGURATION, OPEN_CONFIGURATION } from '../../client/src/commands/configCommandIds';
import { SCOPE_NAME } from '../../client/src/grammar/almaGrammar';
import { RESTRICTED_MODE_MESSAGE } from '../../client/src/uploadFailure';
import { repoRoot } from '../helpers/repoRoot';

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean } };
  contributes: {
    commands: { command: string; title: string; category?: string; enablement?: string }[];
    configuration: { properties: Record<string, { default?: unknown; enum?: string[]; properties?: Record<string, { enum: string[] }> }> };
    languages: { id: string; configuration: string }[];
    grammars: { language: string; path: string; scopeName: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const root = repoRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

test('alma-sis.rules offers exactly the rule table\'s rules, each with the four severities', () => {
  const rules = properties['alma-sis.rules'].properties!;
  assert.deepEqual(Object.keys(rules), RULES.map((rule) => rule.id));
  for (const [id, schema] of Object.entries(rules)) assert.deepEqual(schema.enum, ['error', 'warning', 'info', 'off'], id);
});

test('every setting the client reads is contributed with the client\'s default, under the server\'s section', () => {
  assert.equal(SETTINGS_SECTION, CONFIGURATION_SECTION);
  assert.equal(DEFAULT_CLIENT_SETTINGS.strict, undefined);
  const expected: Record<string, unknown> = {
    rules: DEFAULT_CLIENT_SETTINGS.rules,
    strict: null, // unset: DEFAULT_CLIENT_SETTINGS.strict is undefined
    validate: DEFAULT_CLIENT_SETTINGS.validate,
    debounceMs: DEFAULT_CLIENT_SETTINGS.debounceMs,
    configPath: DEFAULT_CLIENT_SETTINGS.configPath,
    profile: DEFAULT_CLIENT_SETTINGS.profile,
    maxProblems: DEFAULT_CLIENT_SETTINGS.maxProblems,
    useAlmaLanguage: DEFAULT_CLIENT_SETTINGS.useAlmaLanguage,
    'trace.server': DEFAULT_CLIENT_SETTINGS.trace,
  };
  for (const [key, value] of Object.entries(expected)) {
    assert.ok(properties[`alma-sis.${key}`], `alma-sis.${key} is contributed`);
    assert.deepEqual(properties[`alma-sis.${key}`].default, value, `default of alma-sis.${key}`);
  }
  assert.deepEqual(properties['alma-sis.validate'].enum, ['onType', 'onSave']);
});

test('the language server commands are contributed; Validate File on Disk is on .xml files in the explorer', () => {
  const ids = manifest.contributes.commands.map((c) => c.command);
  for (const id of [RESTART_SERVER, SHOW_OUTPUT, VALIDATE_ON_DISK]) assert.ok(ids.includes(id), id);
  const menu = manifest.contributes.menus['explorer/context'].find((m) => m.command === VALIDATE_ON_DISK);
  assert.equal(menu?.when, 'resourceExtname == .xml');
  const sources = readdirSync(join(root, 'client', 'src', 'commands')).map((f) => readFileSync(join(root, 'client', 'src', 'commands', f), 'utf8')).join('\n');
  for (const id of ids) assert.ok(sources.includes(`'${id}'`), `${id} is registered by a module in client/src/commands`);
});

test('activation is cheap: XML files, and workspaces with a configuration or XML files only', () => {
  // A file too big for VS Code to load (code-server asks first past 10 MB; none is given to
  // extensions past 50 MB) opens in a tab without an XML document: onLanguage:xml never fires for
  // it, so a workspace that holds XML files activates the extension by itself.
  assert.deepEqual(manifest.activationEvents, ['onLanguage:xml', 'workspaceContains:**/alma-sis.config.json', 'workspaceContains:**/*.xml']);
  assert.equal(manifest.main, './dist/client.js');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('the Alma language has its grammar and language configuration in syntaxes/', () => {
  const language = manifest.contributes.languages.find((l) => l.id === ALMA_LANGUAGE_ID);
  const grammar = manifest.contributes.grammars.find((g) => g.language === ALMA_LANGUAGE_ID);
  assert.ok(language && grammar);
  assert.ok(existsSync(join(root, language.configuration)) && existsSync(join(root, grammar.path)));
  assert.equal(grammar.scopeName, SCOPE_NAME);
  assert.equal(JSON.parse(readFileSync(join(root, grammar.path), 'utf8')).scopeName, SCOPE_NAME);
});

const upload = manifest.contributes.commands.find((c) => c.command === 'almaSis.upload');

test('in an untrusted workspace the upload stays in the palette and says why it is off, with the way to trust', {
  skip: upload === undefined ? 'almaSis.upload is not contributed (yet)' : undefined,
}, () => {
  // `enablement` would grey it out without a word: the command itself explains Restricted Mode.
  assert.equal(upload?.enablement, undefined);
  assert.match(JSON.stringify(manifest.capabilities.untrustedWorkspaces), /Upload/);
  const source = readFileSync(join(root, 'client', 'src', 'commands', 'uploadCommand.ts'), 'utf8');
  const gate = source.indexOf('if (!vscode.workspace.isTrusted)');
  assert.ok(gate >= 0, 'the upload checks vscode.workspace.isTrusted');
  // Before anything is asked or read: the zip pick, the configuration, the secrets.
  assert.ok(gate < source.indexOf('pickZip()') && gate < source.indexOf('ProfilesRequest, {'), 'the trust check comes first');
  assert.match(source, /'Manage Workspace Trust'/);
  assert.match(source, /'workbench\.trust\.manage'/);
  assert.equal(RESTRICTED_MODE_MESSAGE, 'Upload is off in Restricted Mode: it reads SSH keys and writes to a server. Trust this workspace to use it.');
});

test('Create Configuration and Open Configuration, the configuration status\'s actions, are contributed under Alma SIS', () => {
  for (const [id, title] of [[CREATE_CONFIGURATION, 'Create Configuration'], [OPEN_CONFIGURATION, 'Open Configuration']]) {
    const command = manifest.contributes.commands.find((c) => c.command === id);
    assert.deepEqual(command && { title: command.title, category: command.category }, { title, category: 'Alma SIS' }, id);
    // Writing a configuration file is the person's own act, as editing it is: no trust needed.
    assert.equal(command?.enablement, undefined, id);
  }
});
