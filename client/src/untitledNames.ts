/**
 * The names of the untitled editors the commands open: the tab says what the file is, and Save
 * proposes that name. Plain logic (no vscode), tested in test/client/untitledNames.test.ts.
 */

/** Generate Sample File: `sample-25-users.xml`, `sample-25-researchers.xml`, `sample-25-users-v1.xml`. */
export function sampleFileName(kind: { schema: 1 | 2; researchers: boolean }, users: number): string {
  return `sample-${users}-${kind.researchers ? 'researchers' : 'users'}${kind.schema === 1 ? '-v1' : ''}.xml`;
}

/**
 * New File from This User: named after the user's primary id (`wang.xiaoming.xml`, a blanked
 * template `wang.xiaoming-template.xml`). What a file name cannot hold (`/`, `:`, control
 * characters...) becomes `_`, and a long id is cut.
 */
export function userFileName(primaryId: string | undefined, values: 'keep' | 'blank'): string {
  const safe = (primaryId ?? '').trim().replace(/[^\p{L}\p{N}._@+-]+/gu, '_').replace(/^[._]+/, '').slice(0, 80);
  return `${safe || 'new-user'}${values === 'blank' ? '-template' : ''}.xml`;
}

/** `name`, or `name-2.xml`, `name-3.xml`... when an open untitled editor already has it (VS Code would reuse that editor). */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Convert to User XSD v2: `students.v2.xml` for `students.xml` (the CLI's name); an untitled source gives `users.v2.xml`. */
export function convertedFileName(sourcePath: string): string {
  const base = sourcePath.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.xml$/i, '').replace(/^[._]+/, '');
  return `${stem || 'users'}.v2.xml`;
}
