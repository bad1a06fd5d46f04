import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import { baselineFile, dryRun, dryRunHtml, dryRunMarkdown, dryRunSummaryLine, expandInputs, InputError, profileLoads, rejectionsByDocument } from '../../engine';
import type { DryRunArgs, DryRunResult, DryRunUserPlace } from '../../protocol/messages';
import { abortOn, failure, invalid, optionalString, pathArgument, percentOf, untrustedConverter, type CommandContext } from './context';

/** Dry-run Synchronize: what Alma's synchronize would do with the feed against an Export Users baseline. */
export async function runDryRun(args: DryRunArgs, context: CommandContext, token: CancellationToken, workDoneToken?: string | number): Promise<DryRunResult> {
  const input = pathArgument(args.input, 'input', context);
  const resolved = await context.settingsFor(input, optionalString(args.profile, 'profile'));
  if (resolved.configError) throw failure(resolved.configError.message);
  // None given: the newest file the profile's `baseline` names.
  const named = args.baseline === undefined && resolved.config && resolved.profile ? await baselineFile(resolved.config, resolved.profile) : undefined;
  if (args.baseline === undefined && named === undefined) throw invalid('alma-sis.dryRun needs { baseline }: the profile names no baseline file that exists');
  const baseline = named ?? pathArgument(args.baseline, 'baseline', context);
  const progress = await context.progress('Alma SIS: dry-run', workDoneToken);
  const abort = abortOn(token);
  try {
    const inputs = await expandInputs([input]);
    const base = await expandInputs([baseline]);
    // The inputs as Alma loads them, after the profile's XSL converter if it has one.
    const untrusted = untrustedConverter(resolved.profile, context);
    if (untrusted !== undefined) throw failure(untrusted);
    const { loads } = await profileLoads(resolved.config, resolved.profile, { signal: abort.signal });
    const report = await dryRun(loads(inputs.documents), base.documents, {
      settings: resolved.settings,
      matchIdType: resolved.profile?.matchIdType,
      unmatched: resolved.profile?.unmatched,
      baselinePaths: [baseline],
      signal: abort.signal,
      onProgress: (p) => progress.report(`${p.phase === 'baseline' ? 'reading the baseline' : 'comparing'} ${basename(p.path)}`, percentOf(p.bytesDone, p.bytesTotal)),
    });
    const rejections = [...rejectionsByDocument(report)].flatMap(([file, marks]) => {
      const uri = fileUri(file);
      return uri === undefined ? [] : [{ uri, marks }];
    });
    const places = report.users.flatMap((user, index): DryRunUserPlace[] => {
      const uri = user.outcome === 'unchanged' ? undefined : fileUri(user.path);
      return uri === undefined ? [] : [{ user: index, uri, line: user.line, character: user.col }];
    });
    return {
      markdown: dryRunMarkdown(report),
      html: dryRunHtml(report),
      summaryLine: dryRunSummaryLine(report),
      alert: report.summary.alert,
      profile: resolved.profile?.code,
      rejections,
      places,
    };
  } catch (error) {
    if (error instanceof InputError) throw failure(error.message);
    throw error;
  } finally {
    abort.dispose();
    progress.done();
  }
}

/** The file: URI of a report's document path; none for a zip entry, which has no editor to show it in. */
function fileUri(path: string): string | undefined {
  return path.includes('.zip!/') ? undefined : pathToFileURL(resolve(path)).href;
}
