/**
 * What the language status items beside "Alma users v2" say: which configuration and profile
 * (one item) and code tables (another) the active document was validated with, from the `config`
 * of the server's `almaSis/documentStatus`, and its place in its set, from its `set`. Plain data
 * in, plain text out: no `vscode` import.
 *
 * One item each, every line short: VS Code's status hover shows each item on one line that never
 * wraps, the item's action at its end, in a hover 500 pixels wide that clips the rest. Profile,
 * file and code tables on one line already passed that with ordinary names, and hid the action.
 * The whole story (full paths, the profile's name, the problem's words) is in the action's
 * tooltip and the item's accessibility label.
 */
import type { ConfigInUse, SetInUse } from '../../server/src/protocol/messages';
import { CREATE_CONFIGURATION, OPEN_CONFIGURATION, type OpenConfigurationArgs } from './commands/configCommandIds';
import type { StatusText } from './statusText';

export interface StatusItemText extends StatusText {
  /** The action the status hover offers at the end of the item's line. */
  action?: { title: string; command: string; tooltip: string; arguments?: [OpenConfigurationArgs] };
  /** Everything the line leaves out, for a screen reader. */
  accessibility: string;
}

/** How a path is shown: relative to the workspace where it is inside it. */
export type ShortPath = (path: string) => string;

/** What the defaults mean for the files, said where no configuration applies. */
export const DEFAULTS = 'defaults, no code tables';

function open(title: string, args: OpenConfigurationArgs, tooltip: string): NonNullable<StatusItemText['action']> {
  return { title, command: OPEN_CONFIGURATION, tooltip, arguments: [args] };
}

/** The configuration's item: the profile and its file, or why there is none to use. */
export function formatConfigStatus(config: ConfigInUse | undefined, shortPath: ShortPath): StatusItemText {
  const path = config?.path;
  if (path === undefined) {
    const text = 'No alma-sis.config.json';
    return {
      text,
      detail: DEFAULTS,
      level: 'warning',
      action: { title: 'Create Configuration', command: CREATE_CONFIGURATION, tooltip: 'Create alma-sis.config.json for an Alma SIS integration profile' },
      accessibility: `${text}: ${DEFAULTS}`,
    };
  }
  const shown = inert(shortPath(path));
  if (config?.problem !== undefined) {
    const at = config.problemAt === undefined ? '' : `:${config.problemAt.line + 1}:${config.problemAt.character + 1}`;
    const why = `${problemLine(config.problem, path, shortPath)}; ${DEFAULTS}`;
    return {
      text: 'Configuration problem', detail: `${shown}${at}`, level: 'warning',
      action: open('Open Configuration', { path, ...config.problemAt }, why), accessibility: `Configuration problem: ${why}`,
    };
  }
  if (config?.profile === undefined) {
    const why = `${path} has no profiles: its rules apply, no code tables`;
    return { text: 'No profile', detail: shown, level: 'information', action: open('Open Configuration', { path }, why), accessibility: why };
  }
  const whole = `Profile ${config.profile}${config.profileName === undefined ? '' : ` (${config.profileName})`} from ${path}`;
  return { text: `Profile ${inert(config.profile)}`, detail: shown, level: 'information', action: open('Open Configuration', { path }, whole), accessibility: whole };
}

/** The code tables' item, while a profile applies: the file it names, or that it names none. */
export function formatCodeTablesStatus(config: ConfigInUse | undefined, shortPath: ShortPath): StatusItemText | undefined {
  if (config?.path === undefined || config.problem !== undefined || config.profile === undefined) return undefined;
  if (config.codeTables === undefined) {
    const why = `Profile ${config.profile} names no codeTables: only Alma's fixed lists (status, record_type, account_type) are checked`;
    return { text: 'No code tables', detail: 'Alma\'s fixed lists only', level: 'information', action: open('Open Configuration', { path: config.path }, why), accessibility: why };
  }
  const whole = `Code tables of profile ${config.profile}: ${config.codeTables}`;
  return {
    text: 'Code tables', detail: inert(shortPath(config.codeTables)), level: 'information',
    action: open('Open Code Tables', { path: config.codeTables }, whole), accessibility: whole,
  };
}

/** The set's item: the file's place in the load order of its set (a profile's feed, a folder). */
export function formatSetStatus(set: SetInUse): StatusItemText {
  const text = `File ${set.position} of ${set.files}`;
  return { text, detail: inert(`in ${set.name}`), level: 'information', accessibility: `${text} in ${set.name}, in load order` };
}

/**
 * The problem in one line, its file named as the status names it: the first line of the engine's
 * message, which for several problems is their count ("3 problems in …").
 */
function problemLine(problem: string, path: string, shortPath: ShortPath): string {
  const first = problem.split('\n', 1)[0].replace(/:$/, '');
  return inert(first.split(path).join(shortPath(path)));
}

/**
 * Text from a file as the status hover shows it. The hover turns `[x](command:…)` into a link that
 * runs a command and `$(name)` into an icon, and a folder, a profile or a feed may be named so: a
 * zero-width space keeps both inert and invisible.
 */
export function inert(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(').replace(/\$\(/g, '$\u200b(');
}
