import { open } from 'node:fs/promises';

/**
 * Alma's own output beside a feed: the Export Users file a dry-run compares against. Its users are
 * Alma's current users, so counted as an earlier file of the feed's set it makes every returning
 * user a false duplicate-identifier. Without a configuration that names the feed's files (a
 * profile's `feed`) or its `baseline`, it is told by what only Alma writes into a user: a `link`
 * back to Alma's API on `<user>`, an internal account (SIS feeds hold external users only), or
 * both the `<full_name>` and the `<user_roles>` Alma fills in. Producers do send `<user_roles>`
 * (SIS ignores them) and `<pref_full_name>`, so neither alone is a sign.
 */
const SIGNS: ((head: string) => boolean)[] = [
  (head) => /<user\s[^>]*\blink\s*=\s*["']https?:\/\/[^"']*almaws/.test(head),
  (head) => /<account_type\b[^>]*>\s*INTERNAL\s*</.test(head),
  (head) => /<user_roles[\s>]/.test(head) && /<full_name[\s>]/.test(head),
];

/** Bytes read from the start of a file: the first users are enough, and a feed of any size costs the same. */
export const EXPORT_SNIFF_BYTES = 256 * 1024;

export function looksLikeAlmaExport(head: string): boolean {
  return SIGNS.some((sign) => sign(head));
}

/** Whether an XML file on disk is an Alma export by the signs above; unreadable files are not. */
export async function isAlmaExportFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(EXPORT_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return looksLikeAlmaExport(buffer.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}
