import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewDetails, previewPath, previewSummary } from '../../client/src/xslPreviewText';
import type { PreviewXslConversionResult } from '../../server/src/protocol/messages';

const converted: Extract<PreviewXslConversionResult, { converted: true }> = {
  converted: true,
  name: 'legacy-plif.xml (after XSL)',
  text: '<users/>',
  diagnostics: [],
  users: 5,
  errors: 3,
  warnings: 1,
  stylesheet: '/work/profiles/plif-to-sis.xsl',
  stylesheetWarnings: ['15:43: upper-case() is an XPath 2.0 function: Alma\'s XSLT processor is not documented and may not have it'],
  messages: ['converting'],
  ms: 734,
};

describe('the words of Preview XSL Conversion', () => {
  it('sums up the output as the CLI names it, with the stylesheet and the time', () => {
    assert.equal(previewSummary(converted), 'legacy-plif.xml (after XSL): 5 users, 3 errors, 1 warning (plif-to-sis.xsl, 0.7 s)');
    assert.equal(previewSummary({ ...converted, users: 1, errors: 1, warnings: 0, stylesheet: 'C:\\sis\\a.xsl' }), 'legacy-plif.xml (after XSL): 1 user, 1 error, 0 warnings (a.xsl, 0.7 s)');
  });

  it('lists the stylesheet\'s warnings at their places and what it said, for the output channel', () => {
    assert.deepEqual(previewDetails(converted), [
      "plif-to-sis.xsl:15:43: upper-case() is an XPath 2.0 function: Alma's XSLT processor is not documented and may not have it",
      'legacy-plif.xml (after XSL): xsl:message: converting',
    ]);
  });

  it('names the output after its source', () => {
    assert.equal(previewPath('/feeds/legacy-plif.xml'), '/feeds/legacy-plif.xml (after XSL)');
  });
});
