/**
 * The code-tables files that these configurations name (absolute paths), so that they are watched
 * for the server whatever they are called. A configuration that cannot be read names none: the
 * server reports its problems in that file.
 */
export async function codeTablesFilesOf(configPaths: readonly string[]): Promise<string[]> {
  // Loaded when first needed, after activation: the engine is most of the bundle's start-up cost.
  const { loadConfig, resolveCodeTablesPath } = await import('../../server/src/engine/index.js');
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
