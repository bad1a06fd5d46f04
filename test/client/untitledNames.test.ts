import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertedFileName, sampleFileName, uniqueName, userFileName } from '../../client/src/untitledNames';

test('a sample is named after what it holds', () => {
  assert.equal(sampleFileName({ schema: 2, researchers: false }, 25), 'sample-25-users.xml');
  assert.equal(sampleFileName({ schema: 2, researchers: true }, 3), 'sample-3-researchers.xml');
  assert.equal(sampleFileName({ schema: 1, researchers: false }, 10), 'sample-10-users-v1.xml');
});

test('a file from a user is named after its primary id, made safe for a file name', () => {
  assert.equal(userFileName('wang.xiaoming', 'keep'), 'wang.xiaoming.xml');
  assert.equal(userFileName('wang.xiaoming', 'blank'), 'wang.xiaoming-template.xml');
  assert.equal(userFileName('amélie.dubois', 'keep'), 'amélie.dubois.xml');
  assert.equal(userFileName('a/b:c\\d*e', 'keep'), 'a_b_c_d_e.xml');
  assert.equal(userFileName('../../etc', 'keep'), 'etc.xml');
  assert.equal(userFileName('  ', 'keep'), 'new-user.xml');
  assert.equal(userFileName(undefined, 'blank'), 'new-user-template.xml');
  assert.equal(userFileName('x'.repeat(300), 'keep').length, 84);
});

test('a name an open untitled editor has gets the next free number', () => {
  assert.equal(uniqueName('sample-3-users.xml', new Set()), 'sample-3-users.xml');
  assert.equal(uniqueName('sample-3-users.xml', new Set(['sample-3-users.xml', 'sample-3-users-2.xml'])), 'sample-3-users-3.xml');
  assert.equal(uniqueName('README', new Set(['README'])), 'README-2');
});

test('a converted file is named as the CLI names it: NAME.v2.xml', () => {
  assert.equal(convertedFileName('/home/me/feeds/students.xml'), 'students.v2.xml');
  assert.equal(convertedFileName('C:\\feeds\\Staff.XML'), 'Staff.v2.xml');
  assert.equal(convertedFileName('Untitled-1'), 'Untitled-1.v2.xml');
  assert.equal(convertedFileName('/feeds/.xml'), 'users.v2.xml');
});
