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

  it('refuses a stylesheet that could call out of XSLT, however it spells the callout, and one that takes in another file', () => {
    const refusals = (body: string, declarations = '') => remarks(`<xsl:stylesheet version="1.0" ${XSL} ${declarations}>${body}</xsl:stylesheet>`).filter((r) => r.severity === 'error').map((r) => r.message);
    const template = (inner: string) => `<xsl:template match="/"><users>${inner}</users></xsl:template>`;
    const cases: [string, string, string][] = [
      ['a js: prefix', template('<xsl:value-of select="js:eval(\'1\')"/>'), 'xmlns:js="http://saxonica.com/ns/globalJS"'],
      ['an EQName', template('<xsl:value-of select="Q{http://saxonica.com/ns/globalJS}eval(\'1\')"/>'), ''],
      ['a character reference in the name', template('<xsl:value-of select="Q{http://saxonica&#46;com/ns/globalJS}eval(\'1\')"/>'), ''],
      ['an attribute value template', template('<user note="{Q{http://saxonica.com/ns/globalJS}eval(\'1\')}"/>'), ''],
      ['a text value template', template('<xsl:text expand-text="yes">{Q{http://saxonica.com/ns/globalJS}eval(\'1\')}</xsl:text>'), ''],
      ['Saxon\'s extensions', template('<xsl:value-of select="saxon:evaluate(\'1\')"/>'), 'xmlns:saxon="http://saxon.sf.net/"'],
      ['the browser extensions', template(''), 'xmlns:ixsl="http://saxonica.com/ns/interactiveXSLT"'],
      ['function-lookup', template('<xsl:value-of select="function-lookup(QName(concat(\'http://saxonica.com/ns/\', \'global\', \'JS\'), \'eval\'), 1)(\'1\')"/>'), ''],
      ['fn:transform', template('<xsl:value-of select="transform(map{})"/>'), ''],
      ['fn: prefixed', template('<xsl:value-of select="fn:function-lookup(xs:QName(\'x\'), 1)"/>'), ''],
      ['by EQName', template('<xsl:value-of select="Q{http://www.w3.org/2005/xpath-functions}transform(map{})"/>'), ''],
      ['xsl:evaluate', template('<xsl:evaluate xpath="\'1\'"/>'), ''],
      ['xsl:include', '<xsl:include href="other.xsl"/>', ''],
      ['xsl:import', '<xsl:import href="other.xsl"/>', ''],
    ];
    for (const [what, body, declarations] of cases) {
      const found = refusals(body, declarations);
      assert.ok(found.length > 0, `${what}: refused`);
      assert.match(found[0], /refused/, what);
    }
    // Literal words in the output are not calls, and XSLT 1.0 converters pass.
    assert.deepEqual(refusals(template('<note>transform(the data) and function-lookup(x)</note><xsl:value-of select="concat(\'transform(\', \'x\')"/>')), []);
    // The stylesheet's own function of that name is not the XPath one.
    assert.deepEqual(refusals(template('<xsl:value-of select="my:transform(.)"/>'), 'xmlns:my="urn:my"'), []);
  });
});
