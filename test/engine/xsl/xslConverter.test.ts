import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { expandInputs } from '../../../server/src/engine/files/inputs';
import { validateInputs } from '../../../server/src/engine/validation/validateSet';
import { DEFAULT_SETTINGS } from '../../../server/src/engine/config/types';
import {
  AFTER_XSL,
  convertedDocuments,
  convertFileWithXsl,
  loadXslConverter,
  runXslConverter,
  XslError,
  type XslConverter,
} from '../../../server/src/engine/xsl/xslConverter';
import { missingTool } from '../../helpers/prerequisites';
import { repoRoot } from '../../helpers/repoRoot';

/*
 * A profile's XSL converter run for real: SaxonJS on a worker thread, compiled by Saxonica's
 * xslt3, against Ex Libris's shape of converter (PLIF to SIS) and, as the oracle for XSLT 1.0,
 * xsltproc (libxslt).
 */

const fixtures = join(repoRoot(), 'test', 'fixtures', 'xsl');
const plifStylesheet = join(fixtures, 'plif-to-sis.xsl');
const legacyFile = join(fixtures, 'legacy-plif.xml');
const dir = mkdtempSync(join(tmpdir(), 'alma-sis-xsl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function stylesheet(name: string, body: string, version = '1.0'): string {
  const path = join(dir, name);
  writeFileSync(path, `<?xml version="1.0"?>\n<xsl:stylesheet version="${version}" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n${body}\n</xsl:stylesheet>\n`);
  return path;
}

async function convert(converter: XslConverter, source: string | Uint8Array, limits = {}) {
  return runXslConverter(converter, typeof source === 'string' ? Buffer.from(source) : source, 'feed.xml', { limits });
}

/** The 0-based line of the first line holding `needle` (after `from`). */
function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  const index = lines.findIndex((line, i) => i >= from && line.includes(needle));
  assert.ok(index >= 0, `${needle} is in the output`);
  return index;
}

describe('the XSL converter', () => {
  it('turns a legacy PLIF file into users whose planted errors are found at their lines in the converted document', async () => {
    const converter = await loadXslConverter(plifStylesheet);
    assert.deepEqual(converter.warnings, [], 'the PLIF converter is plain XSLT 1.0 and fits Alma\'s editor');
    const { documents } = await expandInputs([legacyFile]);
    const outputs: string[] = [];
    const converted = convertedDocuments(documents, converter, { onConverted: (_path, output) => outputs.push(Buffer.from(output.bytes).toString('utf8')) });
    const result = await validateInputs(converted, { ...DEFAULT_SETTINGS, xsdVersion: 2 });
    const [document] = result.documents;
    assert.equal(document.path, `${legacyFile}${AFTER_XSL}`);
    assert.equal(document.users, 5);
    const output = outputs[0];
    assert.match(output, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<users>\n {3}<user>\n/);

    const errors = document.findings.filter((f) => f.severity === 'error').map((f) => ({ rule: f.rule, line: f.range.start.line }));
    const firstBarcode = lineOf(output, '<value>B0001</value>');
    assert.deepEqual(errors, [
      // P0003's z305-expiry-date 20271330 became 2027-13-30.
      { rule: 'invalid-date', line: lineOf(output, '<expiry_date>2027-13-30</expiry_date>') },
      // P0004 reuses P0001's barcode: found on the second B0001, with the first as related place.
      { rule: 'duplicate-identifier', line: lineOf(output, '<value>B0001</value>', firstBarcode + 1) },
      // P0005's university id is its own primary id.
      { rule: 'duplicate-identifier-in-user', line: lineOf(output, '<value>P0005</value>') },
    ]);
    const duplicate = document.findings.find((f) => f.rule === 'duplicate-identifier')!;
    assert.equal(duplicate.related[0].path, `${legacyFile}${AFTER_XSL}`);
    assert.equal(duplicate.related[0].range.start.line, firstBarcode);
    // Each place is exactly the value's text in the output.
    const dateFinding = document.findings.find((f) => f.rule === 'invalid-date')!;
    const dateLine = output.split('\n')[dateFinding.range.start.line];
    assert.equal(dateLine.slice(dateFinding.range.start.character, dateFinding.range.end.character), '2027-13-30');
  });

  it('gives the output xsltproc gives for XSLT 1.0 stylesheets', { skip: missingTool('xsltproc', 'xsltproc') }, async () => {
    // indent="no" in both: whitespace between elements is each processor's own choice under indent="yes".
    const unindented = join(dir, 'plif-unindented.xsl');
    writeFileSync(unindented, readFileSync(plifStylesheet, 'utf8').replace('indent="yes"', 'indent="no"'));
    for (const path of [unindented, join(fixtures, 'xslt1-features.xsl'), join(fixtures, 'lookup-in-stylesheet.xsl')]) {
      const converter = await loadXslConverter(path);
      const ours = Buffer.from((await convert(converter, readFileSync(legacyFile))).bytes).toString('utf8');
      const theirs = spawnSync('xsltproc', [path, legacyFile], { encoding: 'utf8' });
      assert.equal(theirs.status, 0, theirs.stderr);
      // The XML declaration is each serializer's own; everything after it must be the same.
      const body = (text: string) => text.replace(/^<\?xml[^>]*\?>\s*/, '').trimEnd();
      assert.ok(body(ours).length > 300, path);
      assert.equal(body(ours), body(theirs.stdout), path);
    }
  });

  it('leaves an Alma export found beside the feed as it is: Alma does not convert its own export', async () => {
    const converter = await loadXslConverter(plifStylesheet);
    const feed = { path: 'feed.xml', read: async function* () {} };
    const exported = { path: 'export.xml', apart: 'an Alma export', read: async function* () {} };
    const [convertedFeed, leftAlone] = convertedDocuments([feed, exported], converter);
    assert.equal(convertedFeed.path, `feed.xml${AFTER_XSL}`);
    assert.equal(leftAlone, exported);
  });

  it('compiles once and converts every document of a set with it', async () => {
    const converter = await loadXslConverter(plifStylesheet);
    const first = await convert(converter, readFileSync(legacyFile));
    assert.ok(converter.compiled !== undefined);
    const compiled = converter.compiled;
    const second = await convert(converter, readFileSync(legacyFile));
    assert.equal(converter.compiled, compiled);
    assert.deepEqual(second.bytes, first.bytes);
  });

  it('writes the output under a temporary name, and never replaces a file without force', async () => {
    const converter = await loadXslConverter(plifStylesheet);
    const target = join(dir, 'legacy.after-xsl.xml');
    const result = await convertFileWithXsl(converter, legacyFile, target);
    assert.deepEqual(readFileSync(target), Buffer.from(result.bytes));
    await assert.rejects(convertFileWithXsl(converter, legacyFile, target), { code: 'EEXIST' });
    await convertFileWithXsl(converter, legacyFile, target, { force: true });
  });

  it('refuses a stylesheet that does not compile, with the stylesheet\'s line', async () => {
    const unknown = await loadXslConverter(stylesheet('unknown.xsl', '\n<xsl:template match="/">\n  <xsl:frobnicate/>\n</xsl:template>'));
    await assert.rejects(convert(unknown, '<users/>'), (error: XslError) => {
      assert.equal(error.kind, 'stylesheet');
      assert.match(error.message, /unknown\.xsl:5:3: the XSL converter does not compile: xsl:frobnicate is not a known XSLT element \[XTSE0010\]$/);
      return true;
    });
    const xpath = await loadXslConverter(stylesheet('xpath.xsl', '<xsl:template match="/">\n\n  <users><xsl:value-of select="concat((1"/></users>\n</xsl:template>'));
    await assert.rejects(convert(xpath, '<users/>'), /xpath\.xsl:5:32: the XSL converter does not compile: .*\{concat\(\(1\}.*\[XPST0003\]$/);
  });

  it('refuses a stylesheet that is not well-formed or not XSLT before running anything, with line and column', async () => {
    const broken = join(dir, 'broken.xsl');
    writeFileSync(broken, '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n  <xsl:template match="/">\n  </xsl:templat>\n</xsl:stylesheet>\n');
    await assert.rejects(loadXslConverter(broken), (error: XslError) => {
      assert.equal(error.kind, 'stylesheet');
      assert.match(error.message, /broken\.xsl:3:\d+: the stylesheet is not well-formed XML: /);
      return true;
    });
    const notXslt = join(dir, 'users.xsl');
    writeFileSync(notXslt, '<users><user/></users>');
    await assert.rejects(loadXslConverter(notXslt), /users\.xsl:1:2: the root is <users>, not <xsl:stylesheet>/);
    await assert.rejects(loadXslConverter(join(dir, 'missing.xsl')), /missing\.xsl: the XSL converter cannot be read \(no such file\)/);
  });

  it('stops a stylesheet that loops, within the time limit', async () => {
    const loop = await loadXslConverter(
      stylesheet('loop.xsl', '<xsl:template match="/"><xsl:call-template name="again"/></xsl:template>\n<xsl:template name="again"><xsl:param name="i" select="0"/><xsl:call-template name="again"><xsl:with-param name="i" select="$i + 1"/></xsl:call-template></xsl:template>'),
    );
    const started = Date.now();
    await assert.rejects(convert(loop, '<users/>', { timeoutMs: 3000 }), (error: XslError) => {
      // SaxonJS runs a tail call as a loop (the time limit stops it) or overflows its stack.
      assert.ok(error.kind === 'timeout' || error.kind === 'stylesheet', error.message);
      assert.match(error.message, /did not finish within 3 s \(a loop in the stylesheet\?\); stopped|recursed too deeply/);
      return true;
    });
    assert.ok(Date.now() - started < 15_000, `stopped after ${Date.now() - started} ms`);
  });

  it('stops a stylesheet whose output has no end, by its memory or the output cap', async () => {
    // Each level doubles the output: 2^40 elements.
    const doubling = await loadXslConverter(
      stylesheet('doubling.xsl', '<xsl:template match="/"><users><xsl:call-template name="twice"><xsl:with-param name="depth" select="40"/></xsl:call-template></users></xsl:template>\n<xsl:template name="twice"><xsl:param name="depth"/><xsl:choose><xsl:when test="$depth = 0"><user><primary_id>x</primary_id></user></xsl:when><xsl:otherwise><xsl:call-template name="twice"><xsl:with-param name="depth" select="$depth - 1"/></xsl:call-template><xsl:call-template name="twice"><xsl:with-param name="depth" select="$depth - 1"/></xsl:call-template></xsl:otherwise></xsl:choose></xsl:template>'),
    );
    const started = Date.now();
    await assert.rejects(convert(doubling, '<users/>', { maxHeapMb: 256, timeoutMs: 60_000 }), (error: XslError) => {
      assert.equal(error.kind, 'memory', error.message);
      assert.match(error.message, /^feed\.xml: the XSL converter doubling\.xsl needed more than 256 MB of memory \(an output without end\?\); stopped$/);
      return true;
    });
    assert.ok(Date.now() - started < 60_000, `stopped after ${Date.now() - started} ms`);
    // A smaller flood fits in memory but not under the output cap.
    const wide = await loadXslConverter(stylesheet('wide.xsl', '<xsl:template match="/"><users><xsl:call-template name="twice"><xsl:with-param name="depth" select="12"/></xsl:call-template></users></xsl:template>\n<xsl:template name="twice"><xsl:param name="depth"/><xsl:choose><xsl:when test="$depth = 0"><user/></xsl:when><xsl:otherwise><xsl:call-template name="twice"><xsl:with-param name="depth" select="$depth - 1"/></xsl:call-template><xsl:call-template name="twice"><xsl:with-param name="depth" select="$depth - 1"/></xsl:call-template></xsl:otherwise></xsl:choose></xsl:template>'));
    await assert.rejects(convert(wide, '<users/>', { maxOutputChars: 10_000 }), (error: XslError) => {
      assert.equal(error.kind, 'output');
      assert.match(error.message, /wrote more than 10,000 characters of output; stopped$/);
      return true;
    });
  });

  it('keeps xsl:message off the console, reports xsl:message terminate as the stylesheet\'s error, and never reaches the network', async () => {
    const chatty = await loadXslConverter(stylesheet('chatty.xsl', '<xsl:template match="/"><xsl:message>converting</xsl:message><users/></xsl:template>'));
    const spoken = await convert(chatty, '<p-file-20/>');
    assert.deepEqual(spoken.messages, ['converting']);
    const stopping = await loadXslConverter(stylesheet('stopping.xsl', '<xsl:template match="/"><xsl:message terminate="yes">no patrons in this file</xsl:message></xsl:template>'));
    await assert.rejects(convert(stopping, '<p-file-20/>'), /stopping\.xsl: Terminated with no patrons in this file \[XTMM9000\].* \(converting feed\.xml\)$/);
    const fetching = await loadXslConverter(stylesheet('fetching.xsl', '<xsl:template match="/"><users><xsl:copy-of select="document(\'http://127.0.0.1:9/users.xml\')"/></users></xsl:template>'));
    await assert.rejects(convert(fetching, '<p-file-20/>'), XslError);
  });

  it('reads no file but its stylesheet (document(\'\') keeps working) and writes none', async () => {
    const reading = await loadXslConverter(stylesheet('reading.xsl', '<xsl:template match="/"><users><xsl:copy-of select="document(\'/etc/hostname\')"/></users></xsl:template>'));
    await assert.rejects(convert(reading, '<p-file-20/>'), /reads no file but its stylesheet, and writes none/);
    const written = join(dir, 'written-by-the-stylesheet.txt');
    const writing = await loadXslConverter(stylesheet('writing.xsl', `<xsl:template match="/"><xsl:result-document href="${pathToFileURL(written).href}" method="text">x</xsl:result-document><users/></xsl:template>`, '2.0'));
    await assert.rejects(convert(writing, '<p-file-20/>'), /reads no file but its stylesheet, and writes none/);
    assert.equal(existsSync(written), false);
    const lookup = await loadXslConverter(join(fixtures, 'lookup-in-stylesheet.xsl'));
    assert.match(Buffer.from((await convert(lookup, readFileSync(legacyFile))).bytes).toString('utf8'), /<user_group>UNDERGRAD<\/user_group>.*<user_group>GRADUATE<\/user_group>.*<user_group>STAFF<\/user_group>/);
  });

  it('refuses a document that is not UTF-8 or not well-formed, naming it', async () => {
    const converter = await loadXslConverter(plifStylesheet);
    await assert.rejects(convert(converter, Uint8Array.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])), /^XslError: feed\.xml: cannot be read for the XSL converter: the file is not valid UTF-8$|feed\.xml: cannot be read for the XSL converter: the file is not valid UTF-8/);
    await assert.rejects(convert(converter, '<p-file-20><patron-record></p-file-20>'), (error: XslError) => {
      assert.equal(error.kind, 'source');
      assert.match(error.message, /^feed\.xml: cannot be read for the XSL converter: /);
      return true;
    });
  });

  it('a stylesheet that reaches JavaScript past the check finds no eval to run code with', async () => {
    // Made without loadXslConverter, whose check refuses both: what the worker itself still allows.
    const calling = (expression: string): XslConverter => {
      const text = `<?xml version="1.0"?>
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:js="http://saxonica.com/ns/globalJS">
  <xsl:template match="/"><out><xsl:value-of select="${expression}"/></out></xsl:template>
</xsl:stylesheet>`;
      const path = join(dir, `callout-${expression.length}.xsl`);
      writeFileSync(path, text);
      return { path, text, warnings: [], output: {} };
    };
    // A global function is called (the probe works)...
    const parsed = await runXslConverter(calling("js:parseInt('42')"), Buffer.from('<a/>'), 'in.xml');
    assert.match(Buffer.from(parsed.bytes).toString('utf8'), />42<\/out>/);
    // ...but eval, which would reach require and the network, is gone.
    await assert.rejects(runXslConverter(calling("js:eval('typeof require')"), Buffer.from('<a/>'), 'in.xml'), (error: Error) => {
      assert.ok(error instanceof XslError, String(error));
      assert.match(error.message, /eval/);
      return true;
    });
    await assert.rejects(loadXslConverter(calling("js:parseInt('42')").path), /names saxonica\.com\/ns\/globalJS/);
  });
});
