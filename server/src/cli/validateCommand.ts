import { expandInputs, validateInputs, type InputNote, type SetResult, type Severity } from '../engine';
import type { ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { jsonReport } from './formatJson';
import { sarifReport } from './formatSarif';
import { formatNote, textReport } from './formatText';
import { ProgressLine } from './progressLine';
import { almaLoads, inputsOrFeed, PROFILE_OPTIONS, profileFromArgs } from './profileOptions';
import { writeInBatches } from './writeInBatches';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check user XML files, folders and zips',
  usage: '[<file|folder|zip>...] [options]',
  description: [
    'Checks Alma SIS user XML files (User XSD v2 and v1). A folder is searched for .xml and .zip files; ' +
      'the XML files inside a zip are read in the order stored. Identifiers must be unique across ' +
      'everything named, read in the order given, as Alma reads one load. "-" reads one XML document from standard input.',
    'The configuration is --config, else the nearest alma-sis.config.json in the current folder or above. With no file ' +
      "named, the profile's feed is validated (its `feed` globs, in load order). An Alma export found in a folder (Export " +
      'Users output) is validated on its own, not as a file of the set. With an xslConverter in the profile, each ' +
      'file is checked as Alma loads it, after the stylesheet: its findings are placed in the output, named FILE (after XSL).',
    'Exit code: 0 no errors (warnings allowed), 1 errors found, 2 bad usage, unreadable input or configuration.',
  ],
  options: [
    ...PROFILE_OPTIONS,
    { name: 'strict', help: 'report empty values as errors' },
    { name: 'format', takesValue: true, valueName: 'FORMAT', choices: FORMATS, help: 'text (default), json or sarif' },
    { name: 'no-progress', help: 'never draw the progress line' },
    { name: 'quiet', help: 'report errors and warnings only (no infos, notes or progress); print nothing when there are none' },
    { name: 'errors-only', help: 'report errors only (no warnings, infos, notes or progress); print nothing when there are none' },
  ],
  run: runValidate,
};

async function runValidate(args: ParsedArgs, context: CommandContext): Promise<number> {
  const format = (args.options.get('format') ?? 'text') as Format;
  const errorsOnly = args.options.has('errors-only');
  const quiet = errorsOnly || args.options.has('quiet');

  const resolved = await profileFromArgs(args, context.cwd, 'validate');
  const { settings } = resolved;
  // `-` reads standard input, for pipelines (`unzip -p feed.zip a.xml | alma-sis validate -`).
  const inputs = await expandInputs(await inputsOrFeed(args, resolved, 'validate', 'at least one file, folder or zip'), { stdin: () => process.stdin });
  const loads = await almaLoads(resolved, context, errorsOnly);

  const progress =
    context.terminal && !quiet && !args.options.has('no-progress') ? new ProgressLine(context.terminal) : undefined;
  let result: SetResult;
  try {
    result = await validateInputs(loads(inputs.documents), settings, {
      onProgress: progress && ((p) => progress.update(p)),
      signal: context.signal,
    });
  } finally {
    progress?.clear();
  }

  const notes = quiet ? [] : inputs.notes;
  const shown = errorsOnly ? onlySeverities(result, ['error']) : quiet ? onlySeverities(result, ['error', 'warning']) : result;
  writeInBatches(report(format, shown, { notes, quiet, version: context.version, cwd: context.cwd }), context);
  // The JSON report's shape is fixed, so notes about the input go beside it rather than into it.
  if (format === 'json') for (const note of notes) context.err(`${formatNote(note)}\n`);

  return result.summary.errors > 0 ? ExitCode.findings : ExitCode.clean;
}

function report(format: Format, result: SetResult, how: { notes: InputNote[]; quiet: boolean; version: string; cwd: string }): Iterable<string> {
  switch (format) {
    case 'json':
      return jsonReport(result);
    case 'sarif':
      return sarifReport(result, { toolVersion: how.version, notes: how.notes, baseDir: how.cwd });
    case 'text':
      // A quiet run that shows nothing prints nothing at all.
      return textReport(result, { notes: how.notes, summary: !how.quiet || result.documents.some((d) => d.findings.length > 0) });
  }
}

/** The result as `--quiet` or `--errors-only` shows it: some severities only, the summary still counting everything. */
function onlySeverities(result: SetResult, severities: readonly Severity[]): SetResult {
  return {
    documents: result.documents.map((doc) => ({ ...doc, findings: doc.findings.filter((f) => severities.includes(f.severity)) })),
    summary: result.summary,
  };
}
