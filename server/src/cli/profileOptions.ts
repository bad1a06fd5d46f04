import { ConfigError, findConfig, resolveProfile, type ResolvedProfile } from '../engine';
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
