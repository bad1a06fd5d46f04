import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import { findEnclosingUser, userTemplate, UserTemplateError } from '../../../server/src/engine/samples/userTemplate';
import { validateText } from '../../../server/src/engine/validation/validateDocument';
import { repoRoot } from '../../helpers/repoRoot';

const v2 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v2.xml'), 'utf8');
const v1 = readFileSync(join(repoRoot(), 'samples', 'valid', 'users-v1.xml'), 'utf8');

function refusal(text: string, offset: number): string {
  try {
    userTemplate(text, offset, 'keep');
  } catch (error) {
    assert.ok(error instanceof UserTemplateError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

describe('a one-user file from the user under the cursor', () => {
  it('copies the user around the cursor, values kept, into a file that validates', () => {
    const template = userTemplate(v2, v2.indexOf('U2023-00452'), 'keep');
    assert.equal(template.primaryId, 'wang.xiaoming');
    assert.equal(template.schemaVersion, 2);
    assert.match(template.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<users>\n {2}<user>\n {4}<primary_id>wang.xiaoming<\/primary_id>/);
    assert.equal((template.text.match(/<user>/g) ?? []).length, 1);
    assert.ok(template.text.includes('<first_name>小明</first_name>'));
    assert.doesNotMatch(template.text, /amelie|okonkwo/);
    const result = validateText(template.text, 'one.xml', DEFAULT_SETTINGS);
    assert.equal(result.users, 1);
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'info'), []);
  });

  it('keeps escaped characters escaped', () => {
    const template = userTemplate(v2, v2.indexOf('Records &amp; Admissions'), 'keep');
    assert.ok(template.text.includes('Enrolment confirmed by Records &amp; Admissions'));
  });

  it('finds the user from anywhere inside it, the start tag included, and nowhere else', () => {
    const start = v2.indexOf('<user>');
    const end = v2.indexOf('</user>') + '</user>'.length;
    assert.deepEqual(findEnclosingUser(v2, start + 3), { start, end, version: 2 });
    assert.deepEqual(findEnclosingUser(v2, v2.indexOf('<user_identifiers>')), { start, end, version: 2 });
    assert.deepEqual(findEnclosingUser(v2, end), { start, end, version: 2 });
    assert.equal(findEnclosingUser(v2, end + 1), undefined);
    assert.match(refusal(v2, v2.indexOf('<users>') + 2), /not inside a <user>/);
  });

  it('blanks every value but keeps the structure and structural attributes', () => {
    const template = userTemplate(v2, v2.indexOf('e.okonkwo'), 'blank');
    assert.equal(template.primaryId, 'e.okonkwo');
    assert.doesNotMatch(template.text, />[^<\s][^<]*</, 'no text left between tags');
    assert.match(template.text, /<primary_id><\/primary_id>/);
    assert.match(template.text, /<address preferred="true" segment_type="External">/);
    assert.match(template.text, /<user_title desc="">/);
    assert.equal((template.text.match(/<user_identifier /g) ?? []).length, 3);
  });

  it('works on a v1 file, keeping its namespace', () => {
    const template = userTemplate(v1, v1.indexOf('Máire'), 'keep');
    assert.equal(template.schemaVersion, 1);
    assert.equal(template.primaryId, 'm.oconnell');
    assert.match(template.text, /<userRecords xmlns="http:\/\/com\/exlibris\/digitool\/repository\/extsystem\/xmlbeans">/);
    assert.equal((template.text.match(/<userRecord>/g) ?? []).length, 1);
    const result = validateText(template.text, 'one.xml', DEFAULT_SETTINGS);
    assert.equal(result.users, 1);
    assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
  });

  it('refuses a user that is not well-formed', () => {
    const broken = '<users>\n  <user>\n    <primary_id>a</primary_id>\n    <first_name>A</last_name>\n  </user>\n</users>\n';
    assert.match(refusal(broken, broken.indexOf('primary_id')), /not well-formed/);
  });
});
