/**
 * `alma-sis`: the command-line adapter over the engine. It parses arguments, hands them to a
 * subcommand, prints what comes back and turns every failure into one message and an exit code.
 */
import { CodeTablesImportError, ConfigError, InputError } from '../engine';
import { closest, describeOptions, parseArgs, UsageError, type OptionSpec } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { validateCommand } from './validateCommand';
import { visible, visibleLines } from './visibleText';
import { dryRunCommand } from './dryRunCommand';
import { uploadCommand } from './uploadCommand';
import { sampleCommand } from './sampleCommand';
import { zipCommand } from './zipCommand';
import { importCodeTablesCommand } from './importCodeTablesCommand';
import { convertCommand } from './convertCommand';
import { VERSION } from './version';

/** Subcommands by name; a new one is one entry here plus its module. */
const COMMANDS: readonly Command[] = [validateCommand, zipCommand, uploadCommand, dryRunCommand, sampleCommand, convertCommand, importCodeTablesCommand];

const HELP: OptionSpec = { name: 'help', short: 'h', help: 'show help' };
const TOP_OPTIONS: readonly OptionSpec[] = [HELP, { name: 'version', help: 'print the version' }];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `alma-sis ${VERSION}: check Ex Libris Alma SIS user XML files`,
    '',
    'Usage: alma-sis <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...describeOptions(TOP_OPTIONS),
    '',
    "Run 'alma-sis <command> --help' for a command's options.",
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `Usage: alma-sis ${command.name} ${command.usage}`,
    '',
    ...command.description.flatMap((paragraph) => [paragraph, '']),
    'Options:',
    ...describeOptions([...command.options, HELP]),
    '',
  ].join('\n');
}

/** True when --help or -h comes before any `--`, whatever else is wrong on the line. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

async function run(argv: readonly string[], context: CommandContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    context.err(mainHelp());
    return ExitCode.failure;
  }
  if (first.startsWith('-')) {
    const { options, positionals } = parseArgs(argv, TOP_OPTIONS);
    if (options.has('help')) {
      const named = COMMANDS.find((c) => c.name === positionals[0]);
      context.out(named ? commandHelp(named) : mainHelp());
      return ExitCode.clean;
    }
    if (positionals.length > 0) throw new UsageError('options come after the command: alma-sis <command> [options]');
    context.out(`${VERSION}\n`);
    return ExitCode.clean;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const near = closest(first, COMMANDS.map((c) => c.name));
    throw new UsageError(`unknown command "${first}"${near ? `; did you mean ${near}?` : `; the commands are ${COMMANDS.map((c) => c.name).join(', ')}`}`);
  }
  if (asksForHelp(rest)) {
    context.out(commandHelp(command));
    return ExitCode.clean;
  }
  return command.run(parseArgs(rest, [...command.options, HELP], command.name), context);
}

/** The one line (or, for a configuration with several problems, the list) shown for a failure. */
function failureMessage(error: unknown, signal: AbortSignal): { text: string; code: number } {
  if (signal.aborted) return { text: 'alma-sis: interrupted', code: ExitCode.interrupted };
  if (error instanceof UsageError) {
    const help = error.command ? `alma-sis ${error.command} --help` : 'alma-sis --help';
    return { text: `alma-sis: ${visible(error.message)} (see ${help})`, code: ExitCode.failure };
  }
  // Paths, zip entry names and configuration keys come from the input: their control characters
  // are escaped (a configuration's problem list keeps its own line breaks).
  if (error instanceof ConfigError || error instanceof CodeTablesImportError) return { text: `alma-sis: ${visibleLines(error.message)}`, code: ExitCode.failure };
  if (error instanceof InputError) return { text: `alma-sis: ${visible(error.message)}`, code: ExitCode.failure };
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.ALMA_SIS_DEBUG === '1' && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return { text: `alma-sis: internal error: ${visible(message)}${stack}`, code: ExitCode.failure };
}

function main(): void {
  // A stream's unhandled error event would crash with a stack trace. A reader that goes away
  // (`alma-sis validate ... | head`) is not a failure at all: writing just stops.
  let stdoutOpen = true;
  let stderrOpen = true;
  process.stderr.on('error', () => {
    stderrOpen = false;
  });
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    stdoutOpen = false;
    if (error.code === 'EPIPE') return;
    if (stderrOpen) process.stderr.write(`alma-sis: cannot write the report: ${error.message}\n`);
    process.exitCode = ExitCode.failure;
  });

  const interrupt = new AbortController();
  const onSigint = () => {
    // A second Ctrl-C leaves at once, in case the first is not noticed quickly enough.
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);

  const context: CommandContext = {
    cwd: process.cwd(),
    out: (text) => {
      if (stdoutOpen && text !== '') process.stdout.write(text);
    },
    err: (text) => {
      if (stderrOpen && text !== '') process.stderr.write(text);
    },
    terminal: process.stderr.isTTY ? process.stderr : undefined,
    signal: interrupt.signal,
    version: VERSION,
  };

  const fail = (error: unknown) => {
    const { text, code } = failureMessage(error, interrupt.signal);
    context.err(`${text}\n`);
    process.exitCode = code;
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);

  run(process.argv.slice(2), context)
    .then((code) => {
      process.exitCode ??= code;
    }, fail)
    .finally(() => process.off('SIGINT', onSigint));
}

main();
