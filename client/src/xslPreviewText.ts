import type { PreviewXslConversionResult } from '../../server/src/protocol/messages';

/*
 * The words of Preview XSL Conversion, apart from VS Code so tests can read them.
 */

type Converted = Extract<PreviewXslConversionResult, { converted: true }>;

/** `feed.xml (after XSL): 5 users, 3 errors, 0 warnings (plif-to-sis.xsl, 0.7 s)`. */
export function previewSummary(result: Converted): string {
  const stylesheet = result.stylesheet.split(/[\\/]/).pop() ?? result.stylesheet;
  return `${result.name}: ${count(result.users, 'user')}, ${count(result.errors, 'error')}, ${count(result.warnings, 'warning')} (${stylesheet}, ${(result.ms / 1000).toFixed(1)} s)`;
}

/** The stylesheet's warnings and what it said, for the output channel: `plif-to-sis.xsl:12:5: ...`. */
export function previewDetails(result: Converted): string[] {
  const stylesheet = result.stylesheet.split(/[\\/]/).pop() ?? result.stylesheet;
  return [...result.stylesheetWarnings.map((warning) => `${stylesheet}:${warning}`), ...result.messages.map((message) => `${result.name}: xsl:message: ${message}`)];
}

/** The path the output is shown under: the source's, named as the CLI names it. */
export function previewPath(sourcePath: string): string {
  return `${sourcePath} (after XSL)`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
