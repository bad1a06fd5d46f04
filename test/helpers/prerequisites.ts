import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './repoRoot';

/*
 * What a test needs from outside this repository (a program, the official XSD) and, when it is
 * not there, the reason the runner prints for skipping: `npm test` must pass in a fresh clone of
 * this repository alone, while CI, which installs everything, runs every test.
 */

const toolCache = new Map<string, boolean>();

/** True when `command` can be run (found on PATH and starts). */
export function hasTool(command: string, probeArgs: readonly string[] = ['--version']): boolean {
  let found = toolCache.get(command);
  if (found === undefined) {
    const run = spawnSync(command, probeArgs, { stdio: 'ignore', timeout: 30_000 });
    found = run.error === undefined;
    toolCache.set(command, found);
  }
  return found;
}

/** A skip reason when a program is missing, else undefined (for `{ skip: ... }` in node:test). */
export function missingTool(command: string, debianPackage: string, probeArgs?: readonly string[]): string | undefined {
  return hasTool(command, probeArgs) ? undefined : `${command} is not installed (apt-get install ${debianPackage}; .ci/run installs it)`;
}

/** The shared research folder beside the checkout, when it is there (CI lays it out; a user's clone has none). */
export function sharedFile(...parts: string[]): string | undefined {
  const path = join(repoRoot(), '..', 'shared', ...parts);
  return existsSync(path) ? path : undefined;
}

/** Ex Libris's rest_user.xsd: $ALMA_SIS_USER_XSD, else ../shared/alma/rest_user.xsd, else undefined. */
export function userXsdPath(): string | undefined {
  const fromEnv = process.env.ALMA_SIS_USER_XSD;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  return sharedFile('alma', 'rest_user.xsd');
}

export const NO_USER_XSD =
  'rest_user.xsd not found: set ALMA_SIS_USER_XSD to a copy of Ex Libris\'s User XSD v2 (CI uses ../shared/alma/rest_user.xsd)';
