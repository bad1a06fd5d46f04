import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SETTINGS,
  readSettings,
  settingsSourceOf,
  toWireSettings,
  type SettingsSource,
} from '../../server/src/protocol/settings';

/** A settings source over a flat object keyed as WorkspaceConfiguration.get is ('trace.server'). */
function source(values: Record<string, unknown>): SettingsSource {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('no settings give the defaults the package.json declares', () => {
  assert.deepEqual(readSettings(source({})), DEFAULT_SETTINGS);
  assert.equal(DEFAULT_SETTINGS.maxProblems, 1000);
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

test('the server gets the settings in its protocol\'s shape; an unset strict is left to the configuration', () => {
  const settings = readSettings(source({ rules: { bom: 'off' }, profile: 'STAFF', maxProblems: 10 }));
  assert.deepEqual(toWireSettings(settings), {
    rules: { bom: 'off' }, validate: 'onType', debounceMs: 200, configPath: '', profile: 'STAFF', maxProblems: 10,
  });
  assert.equal(toWireSettings({ ...settings, strict: false }).strict, false);
});

test('the server reads the same settings from what workspace/configuration answers: nested objects, or dotted keys', () => {
  const nested = readSettings(settingsSourceOf({ maxProblems: 5, validate: 'onSave', configPath: ' cfg.json ', rules: { 'pin-format': 'off', bogus: 'loud' }, profile: 'STAFF', debounceMs: 'x', trace: { server: 'messages' } }));
  assert.deepEqual(nested, { ...DEFAULT_SETTINGS, maxProblems: 5, validate: 'onSave', configPath: 'cfg.json', rules: { 'pin-format': 'off' }, profile: 'STAFF', trace: 'messages' });
  assert.equal(readSettings(settingsSourceOf({ 'trace.server': 'verbose' })).trace, 'verbose');
  assert.deepEqual(readSettings(settingsSourceOf(undefined)), DEFAULT_SETTINGS);
  assert.deepEqual(readSettings(settingsSourceOf([1, 2])), DEFAULT_SETTINGS);
  // One reader: the editor's minimum of 1 holds on the server too (it used to take 0).
  assert.equal(readSettings(settingsSourceOf({ maxProblems: 0 })).maxProblems, 1000);
});
