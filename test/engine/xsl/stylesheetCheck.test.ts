import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALMA_EDITOR_LIMIT, checkStylesheet } from '../../../server/src/engine/xsl/stylesheetCheck';
import { repoRoot } from '../../helpers/repoRoot';

const XSL = 'xmlns:xsl="http://www.w3.org/1999/XSL/Transform"';

function remarks(text: string) {
  return checkStylesheet(text).remarks.map((r) => ({ severity: r.severity, line: r.span.line, col: r.span.col, message: r.message }));
}

describe('checking a stylesheet before it runs', () => {
  it('has nothing to say of the PLIF converter (XSLT 1.0, under 4,096 characters)', () => {
    const text = readFileSync(join(repoRoot(), 'test', 'fixtures', 'xsl', 'plif-to-sis.xsl'), 'utf8');
    assert.deepEqual(checkStylesheet(text), { remarks: [], output: { indent: true, method: 'xml' } });
  });

  it('warns once per XSLT 2.0+ instruction, attribute, function and syntax, at its place', () => {
    const text = [
      `<xsl:stylesheet version="2.0" ${XSL}>`,
      '  <xsl:template match="/">',
      '    <xsl:for-each-group select="//patron-record" group-by="z305">',
      '      <xsl:value-of select="replace(z303/z303-name, \',\', \' \')"/>',
      '      <xsl:value-of select="replace(z303/z303-id, \'a\', \'b\')"/>',
      '      <xsl:variable name="d" as="xs:string" select="if (z305) then \'a\' else \'b\'"/>',
      '      <xsl:value-of select="concat(\'replace(\', \'x\')"/>',
      '    </xsl:for-each-group>',
      '  </xsl:template>',
      '</xsl:stylesheet>',
    ].join('\n');
    const found = remarks(text).map((r) => `${r.line + 1}:${r.col + 1} ${r.message.split(':')[0]}`);
    assert.deepEqual(found, [
      '1:26 version="2.0"',
      '3:6 <xsl',
      '4:29 replace() is an XPath 2.0 function',
      '6:30 the as attribute is XSLT 2.0 or later',
      '6:53 an if-then-else expression is XPath 2.0 or later',
    ]);
    assert.ok(remarks(text).every((r) => r.severity === 'warning'));
  });

  it('warns when the stylesheet is longer than Alma\'s editor takes', () => {
    const padding = `<!-- ${'x'.repeat(ALMA_EDITOR_LIMIT)} -->`;
    const text = `<xsl:stylesheet version="1.0" ${XSL}>${padding}<xsl:template match="/"><users/></xsl:template></xsl:stylesheet>`;
    assert.deepEqual(remarks(text).map((r) => r.message), [`the stylesheet has ${text.length.toLocaleString('en-US')} characters: Alma's profile editor takes at most 4,096`]);
  });

  it('finds XSLT elements by namespace, whatever the prefix, and ignores other prefixes', () => {
    const text = `<t:transform version="1.0" xmlns:t="http://www.w3.org/1999/XSL/Transform" xmlns:xsl="urn:not-xslt"><t:template match="/"><xsl:for-each-group/><t:sequence select="1"/></t:template></t:transform>`;
    assert.deepEqual(remarks(text).map((r) => r.message.split(' ')[0]), ['<xsl:sequence>']);
  });

  it('is an error, with line and column, for a stylesheet that is not well-formed, has a DOCTYPE, or is not XSLT', () => {
    const unclosed = remarks(`<xsl:stylesheet version="1.0" ${XSL}>\n  <xsl:template match="/">\n</xsl:stylesheet>`);
    assert.deepEqual(unclosed.map((r) => [r.severity, r.line]), [['error', 1]]);
    assert.equal(unclosed[0].message, 'the stylesheet is not well-formed XML: <xsl:template> is not closed before </xsl:stylesheet>.');
    assert.match(remarks(`<!DOCTYPE x [<!ENTITY a "b">]>\n<xsl:stylesheet version="1.0" ${XSL}/>`)[0].message, /^the stylesheet is not well-formed XML: /);
    assert.deepEqual(remarks('<users/>').map((r) => [r.severity, r.line, r.col]), [['error', 0, 1]]);
    assert.deepEqual(remarks('').map((r) => r.message), ['the stylesheet is empty']);
    assert.deepEqual(remarks('<!-- nothing yet -->').map((r) => r.message), ['the stylesheet is empty']);
  });
});
