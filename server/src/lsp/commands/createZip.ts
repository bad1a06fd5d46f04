import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createZipPackage, InputError, PackagingRefused, profileLoads, type SetResult } from '../../engine';
import type { CreateZipArgs, CreateZipResult } from '../../protocol/messages';
import { abortOn, failure, invalid, optionalString, pathArgument, percentOf, untrustedConverter, type CommandContext } from './context';
import type { CancellationToken } from 'vscode-languageserver';

/** Create Zip: the engine's packaging of the inputs with the profile's settings; a refusal is an answer, not an error. */
export async function createZip(args: CreateZipArgs, context: CommandContext, token: CancellationToken, workDoneToken?: string | number): Promise<CreateZipResult> {
  if (!Array.isArray(args.inputs) || args.inputs.length === 0) throw invalid('alma-sis.createZip needs { inputs: [paths or file: URIs] }');
  const inputs = args.inputs.map((input, index) => pathArgument(input, `inputs[${index}]`, context));
  const out = args.out === undefined ? undefined : pathArgument(args.out, 'out', context);
  const resolved = await context.settingsFor(inputs[0], optionalString(args.profile, 'profile'));
  if (resolved.configError) throw failure(resolved.configError.message);
  const first = await stat(inputs[0]).catch(() => undefined);
  const cwd = first?.isDirectory() ? inputs[0] : dirname(inputs[0]);
  const progress = await context.progress('Alma SIS: creating zip', workDoneToken);
  const abort = abortOn(token);
  try {
    // Checked as Alma loads the files (after the profile's XSL converter, if any); the zip holds the files.
    const untrusted = untrustedConverter(resolved.profile, context);
    if (untrusted !== undefined) throw failure(untrusted);
    const { loads } = await profileLoads(resolved.config, resolved.profile, { signal: abort.signal });
    const result = await createZipPackage(
      { inputs, settings: resolved.settings, out, cwd, profileCode: resolved.profile?.code, force: args.force === true, loadedAs: loads },
      {
        signal: abort.signal,
        // Validating is the first half of the bar, writing the second.
        onProgress: (p) => progress.report(`${p.phase} ${basename(p.path)}`, (p.phase === 'writing' ? 50 : 0) + percentOf(p.bytesDone, p.bytesTotal, 50)),
      },
    );
    return {
      created: true,
      zipPath: result.zipPath,
      zipBytes: result.zipBytes,
      entries: result.entries.map((entry) => ({ name: entry.name, source: entry.source })),
      forced: result.forced,
      errors: result.validation.summary.errors,
      warnings: result.validation.summary.warnings,
      notes: result.notes.map((note) => ({ path: note.path, message: note.message })),
    };
  } catch (error) {
    if (error instanceof PackagingRefused) {
      return { created: false, reason: error.reason, message: error.message, firstError: firstError(error.validation), errorList: errorList(error.validation) };
    }
    if (error instanceof InputError) throw failure(error.message);
    throw error;
  } finally {
    abort.dispose();
    progress.done();
  }
}

function firstError(validation: SetResult): string | undefined {
  for (const doc of validation.documents) {
    const finding = doc.findings.find((f) => f.severity === 'error');
    if (finding) return `${basename(doc.path)}:${finding.range.start.line + 1}: ${finding.message}`;
  }
  return undefined;
}

/** `path:line:col: rule message`, one error a line, as the command line prints them. */
function errorList(validation: SetResult): string {
  const lines: string[] = [];
  for (const doc of validation.documents) {
    for (const f of doc.findings) {
      if (f.severity === 'error') lines.push(`${doc.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.rule} ${f.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
