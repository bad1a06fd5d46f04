import { loadConfig, resolveCodeTablesPath } from '../../server/src/engine/index';

/**
 * The code-tables files that these configurations name (absolute paths), so that they are watched
 * for the server whatever they are called. A configuration that cannot be read names none: the
 * server reports its problems in that file.
 */
export async function codeTablesFilesOf(configPaths: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const configPath of configPaths) {
    try {
      const config = await loadConfig(configPath);
      for (const profile of config.profiles) {
        const file = resolveCodeTablesPath(config, profile);
        if (file !== undefined) files.add(file);
      }
    } catch {
      // Broken or missing: nothing to add; the server shows why.
    }
  }
  return [...files].sort();
}
