import { stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { Minimatch } from 'minimatch';
import { collectFolder } from '../files/inputs';
import type { AlmaSisConfig, Profile } from './types';

/*
 * A profile's feed and baseline, named by globs relative to the configuration: which files Alma
 * reads from this profile (in load order) and where its Export Users output lies.
 */

const GLOB_OPTIONS = { dot: false, nocase: process.platform === 'win32' };

/** The relative path a glob is matched against: forward slashes, from the configuration's folder. */
function relativeFromConfig(config: AlmaSisConfig, path: string): string {
  return relative(dirname(config.path), path).split(sep).join('/');
}

/** Each glob compiled once per glob text: sorting a folder's files compares them many times over. */
const compiled = new Map<string, Minimatch>();

function matches(rel: string, glob: string): boolean {
  let matcher = compiled.get(glob);
  if (matcher === undefined) {
    matcher = new Minimatch(glob, GLOB_OPTIONS);
    compiled.set(glob, matcher);
  }
  return matcher.match(rel);
}

/** The place of a file in the profile's feed: the index of the first glob it matches; undefined when not in the feed. */
export function feedRank(config: AlmaSisConfig, profile: Profile, path: string): number | undefined {
  if (!profile.feed) return undefined;
  const rel = relativeFromConfig(config, resolve(path));
  const rank = profile.feed.findIndex((glob) => matches(rel, glob));
  return rank < 0 || isBaseline(config, profile, path) ? undefined : rank;
}

/** Whether the file is where the profile says its baseline lies. */
export function isBaseline(config: AlmaSisConfig, profile: Profile, path: string): boolean {
  if (!profile.baseline) return false;
  return matches(relativeFromConfig(config, resolve(path)), profile.baseline);
}

/** Load order within a feed: by glob, then by path in byte order (the CLI's folder order). */
export function compareInFeed(config: AlmaSisConfig, profile: Profile, a: string, b: string): number {
  const byGlob = (feedRank(config, profile, a) ?? Infinity) - (feedRank(config, profile, b) ?? Infinity);
  return byGlob !== 0 ? byGlob : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The .xml and .zip files the globs can match: those below each glob's fixed start (`../exports/`
 * of `../exports/*.xml`), so that a glob may reach beside the configuration's folder and a glob
 * inside a subfolder does not walk the whole workspace.
 */
async function filesUnder(config: AlmaSisConfig, globs: readonly string[]): Promise<string[]> {
  const bases = new Set(globs.map((glob) => {
    const fixed: string[] = [];
    for (const part of glob.split('/')) {
      if (/[*?[\]{}!]/.test(part)) break;
      fixed.push(part);
    }
    // The last fixed part of a glob without magic is the file itself: walk its folder.
    if (fixed.length === glob.split('/').length) fixed.pop();
    return resolve(dirname(config.path), ...fixed);
  }));
  const found = new Set<string>();
  for (const base of bases) {
    const exists = await stat(base).then((s) => s.isDirectory(), () => false);
    if (exists) for (const file of await collectFolder(base, [])) found.add(file);
  }
  return [...found];
}

/** The files of the profile's feed, in load order; [] when it names none. */
export async function feedFiles(config: AlmaSisConfig, profile: Profile): Promise<string[]> {
  if (!profile.feed) return [];
  const files = await filesUnder(config, profile.feed);
  return files.filter((file) => feedRank(config, profile, file) !== undefined).sort((a, b) => compareInFeed(config, profile, a, b));
}

/** The profile's baseline: the newest file its `baseline` matches; undefined when it names none or none exists. */
export async function baselineFile(config: AlmaSisConfig, profile: Profile): Promise<string | undefined> {
  if (!profile.baseline) return undefined;
  const direct = resolve(dirname(config.path), profile.baseline);
  if (!/[*?[{]/.test(profile.baseline)) return (await stat(direct).then((s) => s.isFile(), () => false)) ? direct : undefined;
  const matches = (await filesUnder(config, [profile.baseline])).filter((file) => isBaseline(config, profile, file));
  const dated = await Promise.all(matches.map(async (file) => ({ file, mtime: (await stat(file)).mtimeMs })));
  return dated.sort((a, b) => b.mtime - a.mtime || (a.file < b.file ? -1 : 1))[0]?.file;
}
