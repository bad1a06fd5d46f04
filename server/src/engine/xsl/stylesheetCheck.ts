/**
 * What can be said of a profile's XSL converter before it runs: whether it is well-formed (with
 * the line and column, which the XSLT processor's own messages do not give reliably), whether it
 * uses XSLT 2.0 or later, which Alma's processor may not have (Alma does not document its
 * processor, and every converter Ex Libris publishes is XSLT 1.0), and whether it fits Alma's
 * editor. Read with the project's own scanner: no DOCTYPE or entity is ever expanded.
 */
import { XmlScanner, type ScanSink, type ScanStartTag } from '../xml/scanner';
import type { Span } from '../text/span';

/** The most characters Alma's profile editor takes in its XSL converter field. */
export const ALMA_EDITOR_LIMIT = 4096;

export const XSLT_NAMESPACE = 'http://www.w3.org/1999/XSL/Transform';

export interface StylesheetRemark {
  severity: 'error' | 'warning';
  message: string;
  span: Span;
}

/** The serialization the stylesheet asks for (`xsl:output`), as far as the preview honours it. */
export interface StylesheetOutput {
  /** `indent="yes"` or `"no"`; undefined when the stylesheet does not say. */
  indent?: boolean;
  method?: string;
}

export interface StylesheetCheck {
  /** Errors (not well-formed, not a stylesheet) stop the conversion; warnings do not. */
  remarks: StylesheetRemark[];
  output: StylesheetOutput;
}

/** Instructions and declarations that XSLT 1.0 does not have. */
const LATER_INSTRUCTIONS = new Set([
  'for-each-group', 'analyze-string', 'matching-substring', 'non-matching-substring', 'function', 'sequence',
  'result-document', 'next-match', 'perform-sort', 'namespace', 'document', 'character-map', 'output-character',
  'import-schema', 'try', 'catch', 'iterate', 'break', 'next-iteration', 'on-completion', 'map', 'map-entry',
  'array', 'merge', 'merge-source', 'merge-key', 'merge-action', 'mode', 'evaluate', 'where-populated', 'on-empty',
  'on-non-empty', 'assert', 'accumulator', 'accumulator-rule', 'source-document', 'fork', 'package', 'use-package',
  'expose', 'accept', 'override', 'global-context-item', 'context-item', 'stream',
]);

/** XPath 2.0+ functions a 1.0 processor does not know (the ones converters reach for first). */
const LATER_FUNCTIONS = [
  'matches', 'replace', 'tokenize', 'upper-case', 'lower-case', 'ends-with', 'string-join', 'format-date',
  'format-dateTime', 'format-time', 'current-date', 'current-dateTime', 'current-time', 'adjust-date-to-timezone',
  'adjust-dateTime-to-timezone', 'distinct-values', 'exists', 'empty', 'index-of', 'reverse', 'subsequence',
  'insert-before', 'remove', 'abs', 'avg', 'max', 'min', 'compare', 'codepoints-to-string', 'string-to-codepoints',
  'normalize-unicode', 'encode-for-uri', 'iri-to-uri', 'year-from-date', 'month-from-date', 'day-from-date',
  'year-from-dateTime', 'month-from-dateTime', 'day-from-dateTime', 'data', 'base-uri', 'document-uri', 'root',
  'resolve-uri', 'regex-group', 'current-group', 'current-grouping-key', 'unparsed-text', 'unparsed-text-available',
  'serialize', 'parse-xml', 'for-each', 'filter', 'fold-left', 'fold-right', 'head', 'tail', 'sort', 'has-children',
  'contains-token', 'round-half-to-even', 'deep-equal', 'zero-or-one', 'one-or-more', 'exactly-one', 'trace', 'error',
];
const LATER_FUNCTION_CALL = new RegExp(`(?<![\\w.:-])(${LATER_FUNCTIONS.join('|')})\\s*\\(`);
/** XPath 2.0+ syntax: conditionals, iteration, quantifiers, string concatenation, the arrow and schema types. */
const LATER_SYNTAX: { pattern: RegExp; what: string }[] = [
  { pattern: /(?<![\w.:-])if\s*\(/, what: 'an if-then-else expression' },
  { pattern: /(?<![\w.:-])(for|some|every)\s+\$/, what: 'a for, some or every expression' },
  { pattern: /\|\|/, what: 'the || operator' },
  { pattern: /=>/, what: 'the => operator' },
  { pattern: /(?<![\w.-])xs:[A-Za-z]+\s*\(/, what: 'a constructor of an XML Schema type (xs:date(...))' },
];
/**
 * Namespaces through which SaxonJS calls out of XSLT: JavaScript's global functions (which reach
 * Node's require and the network), the browser extensions and Saxon's own. A converter is XSLT,
 * and Alma's processor has none of these: a stylesheet that names one is refused, wherever the
 * name stands (a namespace declaration, an EQName Q{...} in an expression, a text value template).
 */
const CALLOUT_NAMESPACES = ['saxonica.com/ns/globalJS', 'saxonica.com/ns/interactiveXSLT', 'saxon.sf.net'];

/**
 * XPath 3.0 functions that find or run code given as data: with them, a callout could be spelt at
 * run time. Called bare, as fn: or by EQName; a stylesheet's own my:transform() is another function.
 */
const DYNAMIC_CODE_CALL = /(?<![\w.:-])(?:fn:|Q\{http:\/\/www\.w3\.org\/2005\/xpath-functions\})?(function-lookup|transform|load-xquery-module)\s*\(/;

/** The attributes of XSLT elements that hold expressions or patterns. */
const EXPRESSION_ATTRIBUTES = new Set(['select', 'test', 'match', 'use', 'value', 'count', 'from', 'group-by', 'group-adjacent']);

/**
 * Checks the stylesheet text. Never throws: a stylesheet that cannot be read as XML is an error
 * remark at its first problem.
 */
export function checkStylesheet(text: string): StylesheetCheck {
  const remarks: StylesheetRemark[] = [];
  const output: StylesheetOutput = {};
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string, span: Span) => {
    // One remark per construct: a converter that calls replace() a hundred times needs one word.
    if (warned.has(key)) return;
    warned.add(key);
    remarks.push({ severity: 'warning', message, span });
  };
  let depth = 0;
  let sawRoot = false;
  let firstProblem: StylesheetRemark | undefined;
  const prefixes: Map<string, string>[] = [];

  const xsltPrefix = (name: string): string | undefined => {
    const colon = name.indexOf(':');
    const prefix = colon < 0 ? '' : name.slice(0, colon);
    for (let i = prefixes.length - 1; i >= 0; i--) {
      const uri = prefixes[i].get(prefix);
      if (uri !== undefined) return uri === XSLT_NAMESPACE ? name.slice(colon + 1) : undefined;
    }
    return undefined;
  };

  const refused = new Set<string>();
  const refuseOnce = (key: string, message: string, span: Span) => {
    if (refused.has(key)) return;
    refused.add(key);
    remarks.push({ severity: 'error', message, span });
  };
  /**
   * A value of the stylesheet (attribute or text, entities decoded) that names a callout, or whose
   * expressions (`expression`: the whole value is one; else its {...} templates) run code given as data.
   */
  const checkCallouts = (value: string, span: Span, expression = false) => {
    for (const namespace of CALLOUT_NAMESPACES) {
      if (value.includes(namespace)) {
        refuseOnce(`namespace ${namespace}`, `the stylesheet names ${namespace}, through which SaxonJS would call out of XSLT (JavaScript, the browser, Saxon's extensions): refused; a converter must be XSLT alone, as Alma runs it`, span);
      }
    }
    const code = expression ? value : templatesIn(value);
    const dynamic = code === '' ? null : DYNAMIC_CODE_CALL.exec(withoutStringLiterals(code));
    if (dynamic !== null) {
      refuseOnce(`dynamic ${dynamic[1]}`, `${dynamic[1]}() finds or runs code given as data: refused in a converter (it is XPath 3.0, which Alma's processor does not document either)`, span);
    }
  };

  const sink: ScanSink = {
    xmlDeclaration: () => {},
    startTag: (tag: ScanStartTag) => {
      const scope = new Map<string, string>();
      for (const attribute of tag.attributes) {
        if (attribute.name === 'xmlns') scope.set('', attribute.value);
        else if (attribute.name.startsWith('xmlns:')) scope.set(attribute.name.slice(6), attribute.value);
      }
      prefixes.push(scope);
      const local = xsltPrefix(tag.name);
      for (const attribute of tag.attributes) checkCallouts(attribute.value, attribute.valueSpan, local !== undefined && EXPRESSION_ATTRIBUTES.has(attribute.name));
      const tagSpan: Span = { line: tag.line, col: tag.col, endLine: tag.line, endCol: tag.col + tag.name.length };
      if (depth === 0) {
        sawRoot = true;
        if (local !== 'stylesheet' && local !== 'transform') {
          remarks.push({
            severity: 'error',
            message: `the root is <${tag.name}>, not <xsl:stylesheet> or <xsl:transform> in ${XSLT_NAMESPACE}: not an XSLT stylesheet`,
            span: tagSpan,
          });
        } else {
          const version = tag.attributes.find((a) => a.name === 'version');
          if (version !== undefined && Number(version.value) >= 2) {
            warnOnce('version', `version="${version.value}": Alma's XSLT processor is not documented and Ex Libris's converters are XSLT 1.0; write version="1.0"`, version.valueSpan);
          }
        }
      }
      depth++;
      if (local === undefined) return;
      if (local === 'include' || local === 'import' || local === 'import-schema' || local === 'use-package') {
        // Alma's profile holds one stylesheet, in one text field: there is no other file to take in,
        // and a file taken in here would escape this check.
        refuseOnce(`instruction ${local}`, `<xsl:${local}> takes in another file: refused; Alma's profile holds one stylesheet, so a converter must be one file`, tagSpan);
      } else if (local === 'evaluate') {
        refuseOnce('instruction evaluate', '<xsl:evaluate> runs an expression given as data: refused in a converter (it is XSLT 3.0, which Alma\'s processor does not document either)', tagSpan);
      } else if (LATER_INSTRUCTIONS.has(local)) {
        warnOnce(`instruction ${local}`, `<xsl:${local}> is XSLT 2.0 or later: Alma's XSLT processor is not documented and may not have it (Ex Libris's converters are XSLT 1.0)`, tagSpan);
      }
      if (local === 'output') {
        for (const attribute of tag.attributes) {
          if (attribute.name === 'indent') output.indent = attribute.value.trim() === 'yes';
          if (attribute.name === 'method') output.method = attribute.value.trim();
        }
      }
      for (const attribute of tag.attributes) {
        if (attribute.name === 'as' || attribute.name === 'tunnel' || attribute.name === 'expand-text') {
          warnOnce(`attribute ${attribute.name}`, `the ${attribute.name} attribute is XSLT 2.0 or later: Alma's XSLT processor may not have it`, attribute.nameSpan);
        }
        if (!EXPRESSION_ATTRIBUTES.has(attribute.name)) continue;
        const expression = withoutStringLiterals(attribute.value);
        const call = LATER_FUNCTION_CALL.exec(expression);
        if (call !== null) {
          warnOnce(`function ${call[1]}`, `${call[1]}() is an XPath 2.0 function: Alma's XSLT processor is not documented and may not have it (XSLT 1.0 has XPath 1.0 functions only)`, attribute.valueSpan);
        }
        for (const { pattern, what } of LATER_SYNTAX) {
          if (pattern.test(expression)) warnOnce(`syntax ${what}`, `${what} is XPath 2.0 or later: an XSLT 1.0 processor cannot compile it`, attribute.valueSpan);
        }
      }
    },
    endTag: () => {
      depth--;
      prefixes.pop();
    },
    text: (text) => checkCallouts(text.value(), { line: text.line, col: text.col, endLine: text.endLine, endCol: text.endCol }),
    problem: (rule, span, detail) => {
      // The first problem decides: what follows a well-formedness error is mostly its echo.
      if (firstProblem !== undefined || rule === 'bom') return;
      // The scanner's words for a users file; a stylesheet without a root is simply empty.
      if (/^The file has no root element/.test(detail)) return;
      firstProblem = { severity: 'error', message: `the stylesheet is not well-formed XML: ${detail}`, span };
    },
  };

  const scanner = new XmlScanner(sink);
  scanner.write(Buffer.from(text, 'utf8'));
  scanner.end();
  if (firstProblem !== undefined) return { remarks: [firstProblem], output };
  if (!sawRoot) return { remarks: [{ severity: 'error', message: 'the stylesheet is empty', span: { line: 0, col: 0, endLine: 0, endCol: 0 } }], output };
  if (text.length > ALMA_EDITOR_LIMIT) {
    remarks.push({
      severity: 'warning',
      message: `the stylesheet has ${text.length.toLocaleString('en-US')} characters: Alma's profile editor takes at most ${ALMA_EDITOR_LIMIT.toLocaleString('en-US')}`,
      span: { line: 0, col: 0, endLine: 0, endCol: 0 },
    });
  }
  return { remarks: remarks.sort((a, b) => a.span.line - b.span.line || a.span.col - b.span.col), output };
}

/** The expressions inside a value's {...} templates ({{ and }} are literal braces), joined. */
function templatesIn(value: string): string {
  const parts: string[] = [];
  for (let at = 0; at < value.length; at++) {
    if (value[at] !== '{') continue;
    if (value[at + 1] === '{') {
      at++;
      continue;
    }
    const end = value.indexOf('}', at + 1);
    if (end < 0) break;
    parts.push(value.slice(at + 1, end));
    at = end;
  }
  return parts.join(' ');
}

/** The expression with its string literals blanked, so that `'replace('` in a literal is not a call. */
function withoutStringLiterals(expression: string): string {
  return expression.replace(/'[^']*'|"[^"]*"/g, (literal) => ' '.repeat(literal.length));
}
