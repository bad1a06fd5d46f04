import { DEFAULT_SAMPLE_USERS, InputError, writeSample, writeSampleFile, type SampleOptions } from '../engine';
import { UsageError, type ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { PROFILE_OPTIONS, profileFromArgs } from './profileOptions';

export const sampleCommand: Command = {
  name: 'sample',
  summary: 'write a valid sample user file (v2 or v1) of N users',
  usage: '[--schema 2|1] [--users N] [--seed S] [--researchers] [--out FILE] [options]',
  description: [
    'Writes a user file that passes validation with no error or warning: every field the SIS load reads, ' +
      'realistic values (names in several scripts), unique identifiers, purge dates after expiry dates. ' +
      'The same seed gives the same bytes. Codes come from the profile\'s code tables when a configuration ' +
      'is named or found; the schema version, the match identifier and researchers follow the profile.',
    'Without --out the file goes to stdout.',
    'Exit code: 0 written, 2 bad usage or the file cannot be written.',
  ],
  options: [
    ...PROFILE_OPTIONS,
    { name: 'schema', takesValue: true, valueName: 'VERSION', choices: ['2', '1'], help: 'User XSD version 2 (default, or the profile\'s) or 1' },
    { name: 'users', takesValue: true, valueName: 'N', help: `how many users (default ${DEFAULT_SAMPLE_USERS})` },
    { name: 'seed', takesValue: true, valueName: 'S', help: 'a number or word; the same seed gives the same file (default 1)' },
    { name: 'researchers', help: 'make every user a researcher (Esploro; v2 only)' },
    { name: 'out', takesValue: true, valueName: 'FILE', help: 'write to FILE instead of stdout' },
  ],
  run: runSample,
};

async function runSample(args: ParsedArgs, context: CommandContext): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError(`sample takes no file arguments (got ${args.positionals[0]}); use --out`, 'sample');
  const usersText = args.options.get('users');
  const users = typeof usersText === 'string' ? Number(usersText) : DEFAULT_SAMPLE_USERS;
  if (!Number.isInteger(users) || users < 0 || (typeof usersText === 'string' && !/^\d+$/.test(usersText))) {
    throw new UsageError(`--users must be a whole number, not ${String(usersText)}`, 'sample');
  }
  const { profile, settings } = await profileFromArgs(args, context.cwd, 'sample');
  const schemaText = args.options.get('schema');
  const schema = typeof schemaText === 'string' ? (Number(schemaText) as 1 | 2) : (profile?.xsdVersion ?? 2);
  const researchers = args.options.has('researchers') || profile?.usedFor === 'researchers';
  if (researchers && schema === 1) throw new UsageError('--researchers needs User XSD v2 (researchers do not exist in v1)', 'sample');
  if (researchers && profile?.usedFor === 'users') {
    context.err(`note: profile ${profile.code} is for users only; validating researchers against it reports researcher-fields\n`);
  }
  const seed = args.options.get('seed');
  const options: SampleOptions = {
    schema,
    users,
    seed: typeof seed === 'string' ? seed : 1,
    researchers,
    codeTables: settings.codeTables,
    matchIdType: profile?.matchIdType,
  };

  const out = args.options.get('out');
  if (typeof out !== 'string') {
    // stdout directly rather than context.out: 100k users must wait for a slow reader, not pile up in memory.
    await writeSample(options, process.stdout, context.signal);
    return ExitCode.clean;
  }
  await writeFileAtomically(out, options, context.signal);
  context.err(`wrote ${users} ${users === 1 ? 'user' : 'users'} (User XSD v${schema}) to ${out}\n`);
  return ExitCode.clean;
}

/** The engine writes beside the target and renames; a failure becomes one line and exit 2. */
async function writeFileAtomically(path: string, options: SampleOptions, signal: AbortSignal): Promise<void> {
  try {
    await writeSampleFile(path, options, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot write ${path}: ${code ?? (error as Error).message}`, path);
  }
}
