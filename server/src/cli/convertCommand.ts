import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  ConversionError,
  convertFileWithXsl,
  convertV1ToV2File,
  InputError,
  loadXslConverter,
  profileXslConverter,
  stylesheetNotes,
  v2FileName,
  XslError,
  xslOutputFileName,
  type ConversionReport,
  type XslConverter,
  type XslOutput,
} from '../engine';
import { UsageError, type ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { formatNote } from './formatText';
import { PROFILE_OPTIONS, profileFromArgs } from './profileOptions';
import { visible } from './visibleText';

/** No-home values shown per file; the rest are counted by path. */
const SHOWN = 5;

export const convertCommand: Command = {
  name: 'convert',
  summary: "rewrite User XSD v1 files as v2 (NAME.v2.xml), or run the profile's XSL converter (NAME.after-xsl.xml)",
  usage: '--to 2 | --xsl [FILE.xsl] <file>... [--out FOLDER] [--force]',
  description: [
    'Rewrites each deprecated User XSD v1 file (root <userRecords>) as User XSD v2: userDetails flattened ' +
      'into snake_case fields of <user>, YYYYMMDD dates as YYYY-MM-DD, words as codes (Active -> ACTIVE), ' +
      'the mixed userAddressList as contact_info with addresses, emails and phones. Every value that has a ' +
      'place in v2 is kept; what has none (owneredEntity audit stamps, matchId, segmentAction, names v1 does ' +
      'not have) is counted and the first few shown, with their lines.',
    'Writes NAME.v2.xml beside each input, or in --out FOLDER. An existing file is never replaced without ' +
      '--force. A file that is not well-formed, or is v2 already, is refused with its line and column, and ' +
      'nothing is written for it; the other files are still converted.',
    "--xsl writes what Alma loads from each file when the profile has an XSL converter: the stylesheet's output, " +
      'NAME.after-xsl.xml. --xsl alone uses the profile\'s xslConverter (--config, --profile); --xsl FILE.xsl (or ' +
      '--xsl=FILE) names a stylesheet. A stylesheet error, a loop or an output without end is refused with a clear message.',
    'Exit code: 0 all converted, 2 bad usage, a file that cannot be read or converted, or a target that exists, 130 interrupted.',
  ],
  options: [
    { name: 'to', takesValue: true, valueName: 'VERSION', choices: ['2'], help: 'the User XSD version to write: 2' },
    {
      name: 'xsl',
      takesValue: true,
      optionalValue: /\.xslt?$/i,
      valueName: 'FILE.xsl',
      help: "run an XSL converter: the profile's xslConverter, or FILE.xsl",
    },
    ...PROFILE_OPTIONS,
    { name: 'out', takesValue: true, valueName: 'FOLDER', help: 'write the converted files in FOLDER instead of beside each input' },
    { name: 'force', help: 'replace an existing NAME.v2.xml (or NAME.after-xsl.xml)' },
  ],
  run: runConvert,
};

async function runConvert(args: ParsedArgs, context: CommandContext): Promise<number> {
  const xsl = args.options.get('xsl');
  if (xsl !== undefined && args.options.has('to')) throw new UsageError('convert takes --to 2 or --xsl, not both: run the XSL converter first, then convert its output', 'convert');
  if (xsl === undefined && args.options.get('to') !== '2') throw new UsageError("convert needs --to 2 (User XSD v2 is the version it writes) or --xsl (the profile's XSL converter)", 'convert');
  if (args.positionals.length === 0) throw new UsageError(`convert needs at least one ${xsl === undefined ? 'User XSD v1' : 'XML'} file`, 'convert');
  const converter = xsl === undefined ? undefined : await xslConverterFromArgs(xsl, args, context);
  const force = args.options.has('force');
  const outOption = args.options.get('out');
  const folder = typeof outOption === 'string' ? resolve(context.cwd, outOption) : undefined;
  if (folder !== undefined && !(await stat(folder).then((s) => s.isDirectory(), () => false))) {
    throw new InputError(`--out ${outOption} is not a folder: create it first, or leave --out out to write beside each input`, String(outOption));
  }

  // Everything that can be refused before reading is refused before anything is written.
  const jobs: { input: string; shown: string; output: string }[] = [];
  for (const shown of args.positionals) {
    const input = resolve(context.cwd, shown);
    if (!(await stat(input).then((s) => s.isFile(), () => false))) throw new InputError(`${shown} is not a file: name a User XSD v1 XML file`, shown);
    const output = converter === undefined ? v2FileName(input, folder) : xslOutputFileName(input, folder);
    if (output === input) throw new InputError(`${shown} would be converted onto itself: give --out another folder`, shown);
    if (jobs.some((job) => job.output === output)) throw new UsageError(`two inputs would both be written to ${output}: convert them into different folders`, 'convert');
    if (!force && (await stat(output).then(() => true, () => false))) {
      throw new InputError(`${output} already exists: remove it, or give --force to replace it`, output);
    }
    jobs.push({ input, shown, output });
  }

  let refused = 0;
  if (converter !== undefined) {
    for (const note of stylesheetNotes(converter)) context.err(`${formatNote(note)}\n`);
    for (const job of jobs) {
      let result: XslOutput;
      try {
        result = await convertFileWithXsl(converter, job.input, job.output, { force, signal: context.signal });
      } catch (error) {
        if (context.signal.aborted) throw error;
        refused++;
        context.err(`alma-sis: ${visible(refusalMessage(job.shown, job.output, error))}\n`);
        continue;
      }
      for (const message of result.messages) context.err(`${formatNote({ path: job.shown, message: `xsl:message: ${message}` })}\n`);
      context.out(
        `${visible(job.shown)} -> ${visible(shownPath(context.cwd, job.output))}: converted by ${visible(shownPath(context.cwd, converter.path))} ` +
          `in ${(result.ms / 1000).toFixed(1)} s, ${result.bytes.length} bytes\n`,
      );
    }
    return refused > 0 ? ExitCode.failure : ExitCode.clean;
  }
  for (const job of jobs) {
    let report: ConversionReport;
    try {
      report = await convertV1ToV2File(job.input, job.output, { force, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw error;
      refused++;
      context.err(`alma-sis: ${visible(refusalMessage(job.shown, job.output, error))}\n`);
      continue;
    }
    context.out(fileReport(job.shown, shownPath(context.cwd, job.output), report));
  }
  return refused > 0 ? ExitCode.failure : ExitCode.clean;
}

/** As the person would type it: relative to the working folder when inside it. */
function shownPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/** --xsl FILE, else the profile's xslConverter; a stylesheet that cannot be used stops the command (exit 2). */
async function xslConverterFromArgs(xsl: string | true, args: ParsedArgs, context: CommandContext): Promise<XslConverter> {
  if (typeof xsl === 'string') return loadXslConverter(resolve(context.cwd, xsl));
  const resolved = await profileFromArgs(args, context.cwd, 'convert');
  const converter = await profileXslConverter(resolved.config, resolved.profile);
  if (converter !== undefined) return converter;
  const which = resolved.profile !== undefined ? `profile ${resolved.profile.code} has no xslConverter` : 'there is no profile (no alma-sis.config.json here or above)';
  throw new UsageError(`--xsl alone runs the profile's XSL converter, but ${which}: name the stylesheet with --xsl FILE.xsl`, 'convert');
}

function refusalMessage(shown: string, output: string, error: unknown): string {
  if (error instanceof ConversionError) return `${shown}:${error.message}`;
  if (error instanceof XslError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return `${output} appeared while converting ${shown}: it was not replaced (give --force to replace it)`;
  return `cannot convert ${shown}: ${code ?? (error as Error).message}`;
}

function fileReport(shown: string, output: string, report: ConversionReport): string {
  const lines = [
    `${visible(shown)} -> ${visible(output)}: ${plural(report.users, 'user')} converted, ` +
      `${plural(report.changedCount, 'value')} changed (dates, codes, required defaults), ${plural(report.noHomeCount, 'value')} with no v2 home` +
      (report.emptyLeftOut > 0 ? `, ${plural(report.emptyLeftOut, 'empty element')} left out` : ''),
  ];
  if (report.noHomeCount > 0) {
    const byPath = Object.entries(report.noHomeByPath).map(([path, count]) => `${visible(path)} (${count})`);
    lines.push(`  no v2 home: ${byPath.join(', ')}`);
    for (const value of report.noHome.slice(0, SHOWN)) {
      lines.push(`  ${visible(shown)}:${value.line}: ${visible(value.path)} "${visible(value.value)}": ${value.reason}`);
    }
    if (report.noHomeCount > SHOWN) lines.push(`  and ${report.noHomeCount - SHOWN} more`);
  }
  return `${lines.join('\n')}\n`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
