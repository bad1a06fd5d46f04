import { dryRun, dryRunHtml, dryRunJson, dryRunMarkdown, dryRunText, expandInputs, type DryRunMode, type DryRunReport } from '../engine';
import type { ParsedArgs } from './args';
import { ExitCode, type Command, type CommandContext } from './command';
import { formatNote } from './formatText';
import { ProgressLine } from './progressLine';
import { almaLoads, baselineOrProfile, inputsOrFeed, PROFILE_OPTIONS, profileFromArgs } from './profileOptions';
import { writeInBatches } from './writeInBatches';

const FORMATS = ['text', 'markdown', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];
const MODES = ['synchronize', 'import'] as const;

export const dryRunCommand: Command = {
  name: 'dry-run',
  summary: "show what Alma's synchronize or import would do to each user, before the upload",
  usage: '[<input xml|zip|folder>...] [--baseline <export xml|zip>] [options]',
  description: [
    "Compares the files to load (in load order) with a baseline of the current Alma users, the output of the profile's " +
      'Export Users job (v2 or v1 XML, a file or a zip). Each input user is new, updated (with the fields a swap-all ' +
      'synchronize adds, changes and removes), unchanged, or rejected with a reason: duplicate-in-feed, identifier-taken, ' +
      'internal-user, unmatched-rejected, missing-match-id, exists (import mode) or invalid.',
    "The profile's matchIdType (primary_id or an identifier type) and unmatched (add or reject) decide the matching. " +
      "With an xslConverter in the profile, the inputs are compared as Alma loads them, after the stylesheet (the baseline, Alma's own export, is not converted).",
    '--format html writes one self-contained page (its style inline, no scripts, nothing fetched) to mail or archive: ' +
      'count cards, the outcomes against the alert threshold, the changes by field, the rejected users and each change.',
    "Exit code: 0 done, 1 when the rejected share reaches Alma's 5% alert threshold, 2 bad usage, or an input or " +
      'baseline that cannot be read or is not well-formed XML.',
  ],
  options: [
    { name: 'baseline', takesValue: true, valueName: 'FILE', help: 'the Export Users output (XML or zip) with the current users' },
    ...PROFILE_OPTIONS,
    { name: 'mode', takesValue: true, valueName: 'MODE', choices: MODES, help: 'synchronize (default) or import (adds new users only)' },
    { name: 'format', takesValue: true, valueName: 'FORMAT', choices: FORMATS, help: 'text (default), markdown, json or html' },
    { name: 'no-progress', help: 'never draw the progress line' },
  ],
  run: runDryRun,
};

async function runDryRun(args: ParsedArgs, context: CommandContext): Promise<number> {
  const format = (args.options.get('format') ?? 'text') as Format;
  const mode = (args.options.get('mode') ?? 'synchronize') as DryRunMode;

  const resolved = await profileFromArgs(args, context.cwd, 'dry-run');
  const { settings, profile } = resolved;
  const inputs = await expandInputs(await inputsOrFeed(args, resolved, 'dry-run', 'at least one input file, folder or zip'));
  const baselinePath = await baselineOrProfile(args.options.get('baseline'), resolved, 'dry-run');
  const baseline = await expandInputs([baselinePath]);
  const loads = await almaLoads(resolved, context);

  const progress = context.terminal && !args.options.has('no-progress') ? new ProgressLine(context.terminal) : undefined;
  let report: DryRunReport;
  try {
    report = await dryRun(loads(inputs.documents), baseline.documents, {
      settings,
      mode,
      matchIdType: profile?.matchIdType,
      unmatched: profile?.unmatched,
      baselinePaths: [baselinePath],
      signal: context.signal,
      onProgress: progress && ((p) => progress.update(p)),
    });
  } finally {
    progress?.clear();
  }

  for (const note of [...inputs.notes, ...baseline.notes]) context.err(`${formatNote(note)}\n`);
  writeInBatches(formatted(report, format), context);
  return report.summary.alert ? ExitCode.findings : ExitCode.clean;
}

function formatted(report: DryRunReport, format: Format): Iterable<string> {
  switch (format) {
    case 'json':
      return dryRunJson(report);
    case 'markdown':
      return [dryRunMarkdown(report)];
    case 'html':
      return [dryRunHtml(report)];
    case 'text':
      return dryRunText(report);
  }
}
