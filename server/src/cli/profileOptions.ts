import {
  baselineFile,
  ConfigError,
  feedFiles,
  findConfig,
  profileLoads,
  resolveProfile,
  stylesheetNotes,
  type InputDocument,
  type ResolvedProfile,
} from '../engine';
import type { CommandContext } from './command';
import { formatNote } from './formatText';
import { UsageError, type OptionSpec, type ParsedArgs } from './args';

/** The options every command that works for an integration profile takes. */
export const PROFILE_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', takesValue: true, valueName: 'FILE', help: 'the alma-sis.config.json to use' },
  { name: 'profile', takesValue: true, valueName: 'CODE', help: 'the integration profile to use' },
];

/** Resolves --config and --profile (and --strict, where the command has it) as every command does. */
export async function profileFromArgs(args: ParsedArgs, cwd: string, command: string): Promise<ResolvedProfile> {
  const given = args.options.get('config');
  const profileCode = args.options.get('profile');
  const configPath = typeof given === 'string' ? given : findConfig(cwd);
  if (configPath === undefined && typeof profileCode === 'string') {
    throw new UsageError(`--profile ${profileCode} needs a configuration: no alma-sis.config.json here or above; name one with --config`, command);
  }
  try {
    return await resolveProfile({
      configPath,
      searchFrom: cwd,
      profileCode: typeof profileCode === 'string' ? profileCode : undefined,
      strict: args.options.has('strict') ? true : undefined,
    });
  } catch (error) {
    if (error instanceof ConfigError && /no defaultProfile; choose one$/.test(error.message)) {
      throw new ConfigError(error.path, `${error.problems[0].message} with --profile`);
    }
    throw error;
  }
}

/**
 * The inputs a command reads: those named, else the profile's feed (its files in its load order),
 * so that a nightly job can run `alma-sis zip --profile STUDENTS` from the configuration's folder.
 */
export async function inputsOrFeed(args: ParsedArgs, resolved: ResolvedProfile, command: string, what: string): Promise<string[]> {
  if (args.positionals.length > 0) return args.positionals;
  const { config, profile } = resolved;
  if (!config || !profile?.feed) throw new UsageError(`${command} needs ${what}, or a profile with a feed in alma-sis.config.json`, command);
  const files = await feedFiles(config, profile);
  if (files.length === 0) throw new UsageError(`the feed of profile ${profile.code} (${profile.feed.join(', ')}) matches no file beside ${config.path}`, command);
  return files;
}

/** The dry-run's baseline: --baseline, else the newest file the profile's `baseline` names. */
export async function baselineOrProfile(given: string | boolean | undefined, resolved: ResolvedProfile, command: string): Promise<string> {
  if (typeof given === 'string') return given;
  const { config, profile } = resolved;
  const found = config && profile ? await baselineFile(config, profile) : undefined;
  if (found !== undefined) return found;
  const named = profile?.baseline !== undefined ? ` (profile ${profile.code}'s baseline "${profile.baseline}" matches no file)` : '';
  throw new UsageError(`${command} needs --baseline FILE: the Export Users output with the current users${named}`, command);
}

/**
 * What Alma loads from documents: themselves, or the profile's XSL converter's output when it has
 * one (Alma applies it before loading), each then named `<path> (after XSL)`. The stylesheet is
 * read and checked here, once; its warnings (XSLT 2.0, Alma's editor limit) and what it says with
 * xsl:message go to stderr unless `quiet`.
 */
export async function almaLoads(
  resolved: ResolvedProfile,
  context: CommandContext,
  quiet = false,
): Promise<(documents: readonly InputDocument[]) => readonly InputDocument[]> {
  const { converter, loads } = await profileLoads(resolved.config, resolved.profile, {
    signal: context.signal,
    onConverted: (path, output) => {
      if (quiet) return;
      for (const message of output.messages) context.err(`${formatNote({ path, message: `xsl:message: ${message}` })}\n`);
    },
  });
  if (converter !== undefined && !quiet) for (const note of stylesheetNotes(converter)) context.err(`${formatNote(note)}\n`);
  return loads;
}
