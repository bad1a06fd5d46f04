import type { OptionSpec, ParsedArgs } from './args';
import type { ProgressTerminal } from './progressLine';

/** The CLI's exit codes, the contract scripts and schedulers rely on. */
export const ExitCode = {
  /** Nothing wrong (warnings and infos allowed). */
  clean: 0,
  /** The input has at least one error finding. */
  findings: 1,
  /** Bad usage, unreadable input, bad configuration, or an internal error. */
  failure: 2,
  /** Interrupted with Ctrl-C, as shells report SIGINT. */
  interrupted: 130,
} as const;

/** What a subcommand may touch of the process, handed in by main so commands stay testable. */
export interface CommandContext {
  cwd: string;
  /** Writes report output to stdout. */
  out(text: string): void;
  /** Writes to stderr (notes, progress); errors are thrown, and main prints them. */
  err(text: string): void;
  /** stderr when it is a terminal (progress lines are drawn there only), else undefined. */
  terminal: ProgressTerminal | undefined;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  version: string;
}

/** One subcommand: `alma-sis <name> ...`. */
export interface Command {
  name: string;
  /** One line for the command list in `alma-sis --help`. */
  summary: string;
  /** The usage line after `alma-sis <name>`: `<file|folder|zip>... [options]`. */
  usage: string;
  /** Paragraphs of help shown between the usage line and the options. */
  description: readonly string[];
  options: readonly OptionSpec[];
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}
