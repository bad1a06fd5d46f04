import { applyEdits, findNodeAtLocation, modify, parseTree, type Edit, type Node } from 'jsonc-parser/lib/esm/main.js';
import { ConfigError, ProblemList, isPlainObject, parseJsonDocument } from './jsonInput';

/*
 * Small text edits of alma-sis.config.json, for the editor's "trust this host key": the file is
 * hand-written and often committed, so everything but the one value (layout, key order,
 * indentation) must stay as it was. jsonc-parser's modify finds the place; its formatter is not
 * used because it re-lays out the whole line it touches, which would unfold a one-line sftp object.
 */

/** The configuration text with `profiles[code].sftp.hostKeyFingerprint` set (replaced or added). */
export function withHostKeyFingerprint(text: string, filePath: string, profileCode: string, fingerprint: string): string {
  const document = parseJsonDocument(text, filePath);
  // modify follows the first of two equal keys where JSON keeps the last: refused as loading refuses it.
  new ProblemList(document).throwIfAny(filePath);
  const root = document.value;
  const profiles = isPlainObject(root) && Array.isArray(root.profiles) ? root.profiles : [];
  const index = profiles.findIndex((profile) => isPlainObject(profile) && profile.code === profileCode);
  if (index < 0) throw new ConfigError(filePath, `there is no profile ${profileCode} to pin the host key for`);
  if (!isPlainObject((profiles[index] as Record<string, unknown>).sftp)) throw new ConfigError(filePath, `profile ${profileCode} has no sftp settings`);

  // jsonc-parser takes a byte order mark for an unknown symbol; it goes back in front afterwards.
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = text.slice(bom.length);
  const sftpPath = ['profiles', index, 'sftp'];
  const sftp = findNodeAtLocation(parseTree(body)!, sftpPath)!;
  const edits = modify(body, [...sftpPath, 'hostKeyFingerprint'], fingerprint, {}).map((edit) => laidOut(body, sftp, edit));
  return bom + applyEdits(body, edits);
}

/**
 * A replaced value is kept as modify writes it; an added member goes where the object's members
 * are: on a line of its own with their indentation, or after ", " in a one-line object.
 */
function laidOut(text: string, sftp: Node, edit: Edit): Edit {
  if (edit.length > 0) return edit;
  const member = edit.content.replace(/^,/, '');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const first = sftp.children?.[0];
  if (first === undefined) {
    const outer = lineIndent(text, sftp.offset);
    // Whatever blank space the empty object held is replaced, so `{ }` does not leave a stray line.
    return { offset: sftp.offset + 1, length: sftp.length - 2, content: `${eol}${outer}  ${member}${eol}${outer}` };
  }
  const multiline = text.lastIndexOf('\n', first.offset) > sftp.offset;
  return { ...edit, content: multiline ? `,${eol}${lineIndent(text, first.offset)}${member}` : `, ${member}` };
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}
