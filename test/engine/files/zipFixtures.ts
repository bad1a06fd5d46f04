// Real zips for the files tests, written by the `zip` tool and python3's zipfile into a tmp dir.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A fresh tmp folder, removed when the test file ends. */
export function tmpFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alma-sis-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A function that makes a fresh folder per call, all in one tmp folder removed when the test file ends. */
export function freshFolders(): () => string {
  const dir = tmpFolder();
  let counter = 0;
  return () => {
    const folder = join(dir, `case-${++counter}`);
    mkdirSync(folder);
    return folder;
  };
}

/** Runs a python3 script; `args` arrive as sys.argv[1:]. */
export function python(script: string, ...args: string[]): void {
  execFileSync('python3', ['-c', script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs Info-ZIP `zip` with `args` in `cwd`. */
export function zipTool(cwd: string, ...args: string[]): void {
  execFileSync('zip', ['-q', '-X', ...args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Writes `zipPath` with python's zipfile: entries in the order given, each `[name, base64 content,
 * method]` with method 'stored' or 'deflated'.
 */
export function pythonZip(zipPath: string, entries: Array<[string, Buffer | string, 'stored' | 'deflated']>): void {
  python(
    `
import sys, json, base64, zipfile
methods = {'stored': zipfile.ZIP_STORED, 'deflated': zipfile.ZIP_DEFLATED}
with zipfile.ZipFile(sys.argv[1], 'w') as zf:
    for name, data, method in json.loads(sys.argv[2]):
        zf.writestr(name, base64.b64decode(data), compress_type=methods[method])
`,
    zipPath,
    JSON.stringify(entries.map(([name, data, method]) => [name, Buffer.from(data).toString('base64'), method])),
  );
}

export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
