import { loadCodeTables, resolveCodeTablesPath } from '../engine/config/codeTables';
import { ConfigError, findConfig, loadConfig, selectProfile, settingsFor } from '../engine/config/configFile';
import type { ValidationSettings } from '../engine/config/types';
import { expandInputs } from '../engine/files/inputs';
import type { InputNote } from '../engine/files/inputDocument';
import { validateInputs } from '../engine/validation/validateSet';
import type { SetResult } from '../engine/validation/results';
import { UsageError, type ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { jsonReport } from './formatJson';
import { formatSarif } from './formatSarif';
import { formatNote, textReport } from './formatText';
import { ProgressLine } from './progressLine';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check user XML files, folders and zips',
  usage: '<file|folder|zip>... [options]',
  description: [
    'Checks Alma SIS user XML files (User XSD v2 and v1). A folder is searched for .xml and .zip files; ' +
      'the XML files inside a zip are read in the order stored. Identifiers must be unique across ' +
      'everything named, read in the order given, as Alma reads one load.',
    'The configuration is --config, else the nearest alma-sis.config.json in the current folder or above.',
    'Exit code: 0 no errors (warnings allowed), 1 errors found, 2 bad usage, unreadable input or configuration.',
  ],
  options: [
    { name: 'config', takesValue: true, valueName: 'FILE', help: 'the alma-sis.config.json to use' },
    { name: 'profile', takesValue: true, valueName: 'CODE', help: 'the integration profile to validate against' },
    { name: 'strict', help: 'report empty values as errors' },
    { name: 'format', takesValue: true, valueName: 'FORMAT', choices: FORMATS, help: 'text (default), json or sarif' },
    { name: 'no-progress', help: 'never draw the progress line' },
    { name: 'quiet', help: 'report errors only (no warnings, infos, notes or progress); print nothing when there are none' },
  ],
  run: runValidate,
};

async function runValidate(args: ParsedArgs, context: CommandContext): Promise<number> {
  if (args.positionals.length === 0) {
    throw new UsageError('validate needs at least one file, folder or zip', 'validate');
  }
  const format = (args.options.get('format') ?? 'text') as Format;
  const quiet = args.options.has('quiet');

  const settings = await settingsFromConfig(args, context.cwd);
  const inputs = await expandInputs(args.positionals);

  const progress =
    context.terminal && !quiet && !args.options.has('no-progress') ? new ProgressLine(context.terminal) : undefined;
  let result: SetResult;
  try {
    result = await validateInputs(inputs.documents, settings, {
      onProgress: progress && ((p) => progress.update(p)),
      signal: context.signal,
    });
  } finally {
    progress?.clear();
  }

  const notes = quiet ? [] : inputs.notes;
  writeInBatches(report(format, quiet ? errorsOnly(result) : result, { notes, quiet, version: context.version }), context);
  // The JSON report's shape is fixed, so notes about the input go beside it rather than into it.
  if (format === 'json') for (const note of notes) context.err(`${formatNote(note)}\n`);

  return result.summary.errors > 0 ? ExitCode.findings : ExitCode.clean;
}

function report(format: Format, result: SetResult, how: { notes: InputNote[]; quiet: boolean; version: string }): Iterable<string> {
  switch (format) {
    case 'json':
      return jsonReport(result);
    case 'sarif':
      return [formatSarif(result, { toolVersion: how.version, notes: how.notes })];
    case 'text':
      // A quiet run that found no error prints nothing at all.
      return textReport(result, { notes: how.notes, summary: !how.quiet || result.summary.errors > 0 });
  }
}

/** Joins report pieces into writes of about 64 KB: one write per line would be slow, one in all too big. */
function writeInBatches(pieces: Iterable<string>, context: CommandContext): void {
  let batch = '';
  for (const piece of pieces) {
    batch += piece;
    if (batch.length >= 65536) {
      context.out(batch);
      batch = '';
    }
  }
  if (batch !== '') context.out(batch);
}

async function settingsFromConfig(args: ParsedArgs, cwd: string): Promise<ValidationSettings> {
  const given = args.options.get('config');
  const profileCode = args.options.get('profile');
  const strict = args.options.has('strict') ? true : undefined;

  const configPath = typeof given === 'string' ? given : findConfig(cwd);
  if (configPath === undefined) {
    if (typeof profileCode === 'string') {
      throw new UsageError(`--profile ${profileCode} needs a configuration: no alma-sis.config.json here or above; name one with --config`, 'validate');
    }
    return settingsFor(undefined, undefined, undefined, { strict });
  }

  const config = await loadConfig(configPath);
  const profile = selectProfile(config, typeof profileCode === 'string' ? profileCode : undefined);
  if (profile === undefined && config.profiles.length > 1) {
    throw new ConfigError(
      config.path,
      `several profiles (${config.profiles.map((p) => p.code).join(', ')}) and no defaultProfile; choose one with --profile`,
    );
  }
  const codeTablesPath = resolveCodeTablesPath(config, profile);
  const codeTables = codeTablesPath === undefined ? undefined : await loadCodeTables(codeTablesPath);
  return settingsFor(config, profile, codeTables, { strict });
}

/** The result as `--quiet` shows it: error findings only, the summary still counting everything. */
function errorsOnly(result: SetResult): SetResult {
  return {
    documents: result.documents.map((doc) => ({ ...doc, findings: doc.findings.filter((f) => f.severity === 'error') })),
    summary: result.summary,
  };
}
