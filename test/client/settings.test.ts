import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentSelector, watchTargets } from '../../client/src/settings';

test('the server sees XML and Alma documents, saved or untitled', () => {
  assert.deepEqual(documentSelector(), [
    { scheme: 'file', language: 'xml' },
    { scheme: 'file', language: 'alma-sis-users' },
    { scheme: 'untitled', language: 'xml' },
    { scheme: 'untitled', language: 'alma-sis-users' },
  ]);
});

test('watched: every configuration and code table in the workspace, the named configuration and the named code tables', () => {
  assert.deepEqual(watchTargets(undefined), [
    { pattern: '**/alma-sis.config.json' },
    { pattern: '**/*.codetables.json' },
  ]);
  assert.deepEqual(watchTargets('/work/etc/sis.json', ['/srv/sis/code-tables.json', '/srv/sis/code-tables.json']), [
    { pattern: '**/alma-sis.config.json' },
    { pattern: '**/*.codetables.json' },
    { base: '/work/etc', pattern: 'sis.json' },
    { base: '/srv/sis', pattern: 'code-tables.json' },
  ]);
  assert.deepEqual(watchTargets('C:\\sis\\alma.json').at(-1), { base: 'C:/sis', pattern: 'alma.json' });
  assert.deepEqual(watchTargets('/alma.json').at(-1), { base: '/', pattern: 'alma.json' });
});

