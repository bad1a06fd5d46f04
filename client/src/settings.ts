/**
 * What only the VS Code side needs around the settings: the language it contributes, the
 * documents it hands the server, and the files to watch. The settings themselves (type,
 * defaults, reader) are the shared protocol's, read the same way by the server.
 */
export { DEFAULT_SETTINGS, readSettings, SETTINGS_SECTION, toWireSettings, type AlmaSisSettings, type SettingsSource } from '../../server/src/protocol/settings';

/** The language the extension contributes: XML with Alma's vocabulary in its grammar. */
export const ALMA_LANGUAGE_ID = 'alma-sis-users';

/** The documents the language server sees: plain XML and our language, on disk or unsaved. */
export function documentSelector(): { scheme: string; language: string }[] {
  return ['file', 'untitled'].flatMap((scheme) => ['xml', ALMA_LANGUAGE_ID].map((language) => ({ scheme, language })));
}

/** A file pattern to watch: a glob under the workspace folders, or a file name under a folder (`base`). */
export interface WatchTarget {
  base?: string;
  pattern: string;
}

/**
 * The files whose changes the server must hear about: every configuration and code-tables file in
 * the workspace, the configuration the settings name (`named`, absolute as the server resolved
 * it: it may have another name or live outside the workspace), and the code-tables files the
 * configurations name (`codeTablesFiles`, absolute).
 */
export function watchTargets(named: string | undefined, codeTablesFiles: readonly string[] = []): WatchTarget[] {
  const targets: WatchTarget[] = [{ pattern: '**/alma-sis.config.json' }, { pattern: '**/*.codetables.json' }];
  const add = (target: WatchTarget): void => {
    if (!targets.some((t) => t.base === target.base && t.pattern === target.pattern)) targets.push(target);
  };
  if (named !== undefined) add(splitPath(named.replace(/\\/g, '/')));
  for (const file of codeTablesFiles) add(splitPath(file.replace(/\\/g, '/')));
  return targets;
}

function splitPath(path: string): WatchTarget {
  const slash = path.lastIndexOf('/');
  return { base: path.slice(0, Math.max(slash, 1)), pattern: path.slice(slash + 1) };
}
