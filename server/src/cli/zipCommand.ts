import { createZipPackage, PackagingRefused, type PackagedEntry, type SetResult, type ZipPackageProgress } from '../engine';
import type { ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { formatNote, textReport } from './formatText';
import { ProgressLine } from './progressLine';
import { almaLoads, inputsOrFeed, PROFILE_OPTIONS, profileFromArgs } from './profileOptions';
import { visible } from './visibleText';

export const zipCommand: Command = {
  name: 'zip',
  summary: 'package user XML files into the zip Alma loads',
  usage: '[<xml|folder>...] [--out F.zip] [options]',
  description: [
    'Validates the files as one set, then writes them at the root of a zip, in the order given (a folder ' +
      'stands for its .xml files in the order validate reads them); the order is printed. Files with errors ' +
      'are refused unless --force; files that mix User XSD v1 and v2, and anything but .xml files, are always refused. ' +
      "With an xslConverter in the profile, the files are checked as Alma loads them, after the stylesheet, and the zip holds the files themselves (Alma converts them).",
    '--out names the zip, or a folder for it; the default name is the profile code and the UTC time ' +
      '(STUDENTS-20261201T021500Z.zip, users-... without a profile). An existing file is never replaced. ' +
      'The zip is written under a hidden temporary name beside it and renamed when complete: a failure or ' +
      'Ctrl-C leaves no zip behind.',
    'Exit code: 0 written, 1 not written because the files have errors or mix versions, 2 bad usage or I/O, 130 interrupted.',
  ],
  options: [
    ...PROFILE_OPTIONS,
    { name: 'out', takesValue: true, valueName: 'FILE', help: 'the zip to write, or the folder for the default name' },
    { name: 'force', help: 'write the zip although the files have errors (never when they mix v1 and v2)' },
    { name: 'strict', help: 'report empty values as errors' },
    { name: 'no-progress', help: 'never draw the progress line' },
  ],
  run: runZip,
};

async function runZip(args: ParsedArgs, context: CommandContext): Promise<number> {
  const out = args.options.get('out');
  const resolved = await profileFromArgs(args, context.cwd, 'zip');
  const { profile, settings } = resolved;
  const sources = await inputsOrFeed(args, resolved, 'zip', 'at least one XML file or folder');
  // Checked as Alma loads them (after the profile's XSL converter); the zip holds the files as they are.
  const loadedAs = await almaLoads(resolved, context);

  const drawing = context.terminal && !args.options.has('no-progress') ? context.terminal : undefined;
  const lines = drawing && {
    validating: new ProgressLine(drawing, { label: 'validating' }),
    writing: new ProgressLine(drawing, { label: 'writing' }),
  };
  const onProgress = lines && ((p: ZipPackageProgress) => lines[p.phase].update(p));
  const clearProgress = () => {
    lines?.validating.clear();
    lines?.writing.clear();
  };

  try {
    const result = await createZipPackage(
      {
        inputs: sources,
        settings,
        out: typeof out === 'string' ? out : undefined,
        cwd: context.cwd,
        profileCode: profile?.code,
        force: args.options.has('force'),
        loadedAs,
      },
      { signal: context.signal, onProgress },
    );
    clearProgress();
    for (const note of result.notes) context.err(`${formatNote(note)}\n`);
    // What was zipped anyway is worth a look before the upload: errors (forced) and warnings.
    context.out(findingsReport(result.validation, 'warning'));
    context.out(orderLines(result.entries));
    const forced = result.forced ? ` despite ${plural(result.validation.summary.errors, 'error')} (--force)` : '';
    context.out(`wrote ${visible(result.zipPath)}: ${plural(result.entries.length, 'XML file')}, ${result.zipBytes} bytes${forced}\n`);
    return ExitCode.clean;
  } catch (error) {
    clearProgress();
    if (!(error instanceof PackagingRefused)) throw error;
    context.out(findingsReport(error.validation, 'error'));
    context.out(orderLines(error.entries, ' (not written)'));
    const advice = error.reason === 'errors' ? ' (fix them, or --force to package them anyway)' : '';
    context.err(`alma-sis: ${visible(error.message)}${advice}\n`);
    return ExitCode.findings;
  }
}

/** `  1  students.xml  2480122 bytes  (from nightly/students.xml)`: the zip's order, as Alma reads it. */
function orderLines(entries: readonly PackagedEntry[], remark = ''): string {
  const width = String(entries.length).length;
  const lines = entries.map(
    (entry, index) => `  ${String(index + 1).padStart(width)}  ${visible(entry.name)}  ${entry.size} bytes  (from ${visible(entry.source)})\n`,
  );
  return `zip order (${plural(entries.length, 'file')})${remark}:\n${lines.join('')}`;
}

/** The findings down to `least` and the summary line; the infos of a big feed would bury them. */
function findingsReport(validation: SetResult, least: 'error' | 'warning'): string {
  const shown: SetResult = {
    documents: validation.documents.map((doc) => ({ ...doc, findings: doc.findings.filter((f) => f.severity === 'error' || (least === 'warning' && f.severity === 'warning')) })),
    summary: validation.summary,
  };
  return [...textReport(shown)].join('');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
