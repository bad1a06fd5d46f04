import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import { AFTER_XSL, countSeverities, loadXslConverter, readXslSource, resolveXslConverterPath, runXslConverter, validateBytes, XslError } from '../../engine';
import type { PreviewXslConversionArgs, PreviewXslConversionResult } from '../../protocol/messages';
import { toDiagnostics } from '../diagnostics';
import { abortOn, failure, optionalString, pathArgument, untrustedConverter, type CommandContext } from './context';

/**
 * Preview XSL Conversion: the profile's XSL converter run on the file (the open buffer, saved or
 * not, else the file on disk) and its output validated as what Alma loads. A stylesheet that
 * cannot be used is an answer with its message and place, for the editor to show.
 */
export async function previewXslConversion(args: PreviewXslConversionArgs, context: CommandContext, token: CancellationToken): Promise<PreviewXslConversionResult> {
  const path = pathArgument(args.uri, 'uri', context);
  const resolved = await context.settingsFor(path, optionalString(args.profile, 'profile'));
  if (resolved.configError) throw failure(resolved.configError.message);
  const stylesheet = resolved.config === undefined ? undefined : resolveXslConverterPath(resolved.config, resolved.profile);
  if (stylesheet === undefined) {
    const which = resolved.profile !== undefined ? `profile ${resolved.profile.code} has no xslConverter` : resolved.config !== undefined ? 'no profile is chosen' : 'there is no alma-sis.config.json for this file';
    return { converted: false, reason: 'no-converter', message: `${which}: set profiles[].xslConverter to the stylesheet, relative to the configuration`, configPath: resolved.configPath };
  }
  const untrusted = untrustedConverter(resolved.profile, context);
  if (untrusted !== undefined) return { converted: false, reason: 'untrusted', message: untrusted, configPath: resolved.configPath };
  const open = context.document(args.uri) ?? context.document(pathToFileURL(path).href);
  const abort = abortOn(token);
  try {
    const source = open !== undefined ? Buffer.from(open.getText(), 'utf8') : await readXslSource(path);
    const converter = await loadXslConverter(stylesheet);
    const output = await runXslConverter(converter, source, basename(path), { signal: abort.signal });
    const name = `${basename(path)}${AFTER_XSL}`;
    const result = validateBytes(output.bytes, name, resolved.settings);
    const previewUri = args.previewUri ?? args.uri;
    const settings = await context.choice(path);
    const counts = countSeverities(result.findings);
    return {
      converted: true,
      name,
      text: Buffer.from(output.bytes).toString('utf8'),
      // Every place is in the output, related ones too: the first holder of an identifier is another line of it.
      diagnostics: toDiagnostics(result, () => previewUri, settings.maxProblems),
      users: result.users,
      errors: counts.errors,
      warnings: counts.warnings,
      stylesheet,
      stylesheetWarnings: converter.warnings.map((w) => `${w.span.line + 1}:${w.span.col + 1}: ${w.message}`),
      messages: output.messages,
      ms: output.ms,
    };
  } catch (error) {
    if (!(error instanceof XslError)) throw error;
    const at = error.at === undefined ? undefined : { line: error.at.line, character: error.at.col };
    return { converted: false, reason: 'failed', message: error.message, stylesheet, ...(at !== undefined ? { at } : {}) };
  } finally {
    abort.dispose();
  }
}
