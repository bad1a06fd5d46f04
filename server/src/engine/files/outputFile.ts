import { link, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A converted file is written under a hidden temporary name beside its output and given its name
 * only when complete: a refusal, a failure or Ctrl-C leaves nothing. Without `force` an existing
 * output is never replaced, even one that appears meanwhile (a hard link cannot replace a file).
 */

/** Throws EEXIST when `output` exists and may not be replaced: checked before any work. */
export async function refuseExistingOutput(output: string, force: boolean | undefined): Promise<void> {
  if (!force && (await stat(output).then(() => true, () => false))) {
    throw Object.assign(new Error(`${output} already exists`), { code: 'EEXIST' });
  }
}

/** The hidden temporary name beside `output`. */
export function temporaryBeside(output: string): string {
  return join(dirname(output), `.${basename(output)}.${process.pid}.partial`);
}

/** Gives the complete temporary file its name (replacing only with `force`); the temporary name is gone either way. */
export async function publishOutput(temporary: string, output: string, force: boolean | undefined): Promise<void> {
  try {
    if (force) await rename(temporary, output);
    else await link(temporary, output);
  } finally {
    await rm(temporary, { force: true });
  }
}
