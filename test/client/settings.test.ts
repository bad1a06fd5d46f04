import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_CLIENT_SETTINGS,
  documentSelector,
  readSettings,
  toServerSettings,
  watchTargets,
  type SettingsSource,
} from '../../client/src/settings';

/** A settings source over a flat object keyed as WorkspaceConfiguration.get is ('trace.server'). */
function source(values: Record<string, unknown>): SettingsSource {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('no settings give the defaults the package.json declares', () => {
  assert.deepEqual(readSettings(source({})), DEFAULT_CLIENT_SETTINGS);
  assert.equal(DEFAULT_CLIENT_SETTINGS.maxProblems, 1000);
});

test('settings are read with their types; a value of the wrong type falls back to the default', () => {
  const settings = readSettings(source({
    rules: { 'pin-format': 'off', 'bom': 'error', 'not-loaded': 'loud', 'code-case': 3 },
    strict: true,
    validate: 'onSave',
    debounceMs: 50,
    configPath: '  config/alma-sis.config.json ',
    profile: 'STAFF',
    maxProblems: 250.7,
    useAlmaLanguage: 'yes',
    'trace.server': 'verbose',
  }));
  assert.deepEqual(settings, {
    rules: { 'pin-format': 'off', bom: 'error' },
    strict: true,
    validate: 'onSave',
    debounceMs: 50,
    configPath: 'config/alma-sis.config.json',
    profile: 'STAFF',
    maxProblems: 250,
    useAlmaLanguage: false,
    trace: 'verbose',
  });
  assert.equal(readSettings(source({ maxProblems: 0 })).maxProblems, 1000);
  assert.equal(readSettings(source({ validate: 'sometimes' })).validate, 'onType');
  assert.equal(readSettings(source({ debounceMs: -1 })).debounceMs, 200);
  assert.equal(readSettings(source({ strict: null })).strict, undefined);
  assert.deepEqual(readSettings(source({ rules: ['error'] })).rules, {});
});

test('the server sees XML and Alma documents, saved or untitled', () => {
  assert.deepEqual(documentSelector(), [
    { scheme: 'file', language: 'xml' },
    { scheme: 'file', language: 'alma-sis-users' },
    { scheme: 'untitled', language: 'xml' },
    { scheme: 'untitled', language: 'alma-sis-users' },
  ]);
});

test('watched: every configuration and code table in the workspace, the named configuration and the named code tables', () => {
  assert.deepEqual(watchTargets({ configPath: '' }), [
    { pattern: '**/alma-sis.config.json' },
    { pattern: '**/*.codetables.json' },
  ]);
  assert.deepEqual(watchTargets({ configPath: './etc/sis.json' }, ['/srv/sis/code-tables.json', '/srv/sis/code-tables.json']), [
    { pattern: '**/alma-sis.config.json' },
    { pattern: '**/*.codetables.json' },
    { pattern: 'etc/sis.json' },
    { base: '/srv/sis', pattern: 'code-tables.json' },
  ]);
  assert.deepEqual(watchTargets({ configPath: 'C:\\sis\\alma.json' }).at(-1), { base: 'C:/sis', pattern: 'alma.json' });
  assert.deepEqual(watchTargets({ configPath: '/alma.json' }).at(-1), { base: '/', pattern: 'alma.json' });
});

test('the server gets the settings in its protocol\'s shape; an unset strict is left to the configuration', () => {
  const settings = readSettings(source({ rules: { bom: 'off' }, profile: 'STAFF', maxProblems: 10 }));
  assert.deepEqual(toServerSettings(settings), {
    rules: { bom: 'off' }, validate: 'onType', debounceMs: 200, configPath: '', profile: 'STAFF', maxProblems: 10,
  });
  assert.equal(toServerSettings({ ...settings, strict: false }).strict, false);
});
