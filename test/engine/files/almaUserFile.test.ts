import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAlmaUserFile } from '../../../server/src/engine';

test('Alma user files are recognised by their root element, whatever comes before it', () => {
  assert.ok(isAlmaUserFile('<?xml version="1.0"?>\n<!-- export -->\n<users><user/></users>'));
  assert.ok(isAlmaUserFile('<userRecords xmlns="http://com/exlibris/digitool/repository/extsystem/xmlbeans"/>'));
  assert.ok(isAlmaUserFile('<userRecord><userName>x</userName></userRecord>'));
  assert.ok(isAlmaUserFile('<user><primary_id>x</primary_id></user>'));
  assert.ok(isAlmaUserFile('<USERS>'), 'a miscased, unclosed root is still a user file with mistakes to show');
});

test('other XML, and text with no root, is not an Alma user file', () => {
  assert.ok(!isAlmaUserFile('<project><modelVersion>4</modelVersion></project>'));
  assert.ok(!isAlmaUserFile('<userList><user/></userList>'), 'the root decides, not a child');
  assert.ok(!isAlmaUserFile('<!-- <users> -->\n<project/>'), 'a root in a comment is no root');
  assert.ok(!isAlmaUserFile(''));
  assert.ok(!isAlmaUserFile('users'));
});
