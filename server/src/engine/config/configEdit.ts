import { ConfigError, formatJsonPath, isPlainObject, parseJsonDocument, type JsonLocation } from './jsonInput';

/*
 * Small text edits of alma-sis.config.json, for the editor's "trust this host key": the file is
 * hand-written and often committed, so everything but the one value (comments of layout, key
 * order, indentation) must stay as it was. The parser's locations say where the member is.
 */

/** The configuration text with `profiles[code].sftp.hostKeyFingerprint` set (replaced or added). */
export function withHostKeyFingerprint(text: string, filePath: string, profileCode: string, fingerprint: string): string {
  const document = parseJsonDocument(text, filePath);
  const root = document.value;
  const profiles = isPlainObject(root) && Array.isArray(root.profiles) ? root.profiles : [];
  const index = profiles.findIndex((profile) => isPlainObject(profile) && profile.code === profileCode);
  if (index < 0) throw new ConfigError(filePath, `there is no profile ${profileCode} to pin the host key for`);
  const sftp = (profiles[index] as Record<string, unknown>).sftp;
  const sftpPath = ['profiles', index, 'sftp'];
  const at = (location: JsonLocation | undefined) => (location === undefined ? -1 : offsetOf(text, location));
  if (!isPlainObject(sftp)) throw new ConfigError(filePath, `profile ${profileCode} has no sftp settings`);
  const value = JSON.stringify(fingerprint);

  if ('hostKeyFingerprint' in sftp) {
    const keyStart = at(document.locations.get(formatJsonPath([...sftpPath, 'hostKeyFingerprint'])));
    const valueStart = skipSpace(text, text.indexOf(':', skipString(text, keyStart)) + 1);
    return text.slice(0, valueStart) + value + text.slice(valueEnd(text, valueStart));
  }
  const objectStart = skipSpace(text, text.indexOf(':', skipString(text, at(document.locations.get(formatJsonPath(sftpPath))))) + 1);
  const close = valueEnd(text, objectStart) - 1;
  let last = close - 1;
  while (last > objectStart && /\s/.test(text[last])) last--;
  const empty = last === objectStart;
  // The new member goes on its own line with the indentation of the others (or one step in).
  const memberKeys = Object.keys(sftp);
  const firstKey = memberKeys.length > 0 ? at(document.locations.get(formatJsonPath([...sftpPath, memberKeys[0]]))) : -1;
  const indent = firstKey >= 0 ? lineIndent(text, firstKey) : `${lineIndent(text, objectStart)}  `;
  const multiline = firstKey >= 0 ? text.lastIndexOf('\n', firstKey) > objectStart : true;
  const member = `"hostKeyFingerprint": ${value}`;
  if (!multiline) return `${text.slice(0, last + 1)}${empty ? '' : ', '}${member}${text.slice(last + 1)}`;
  return `${text.slice(0, last + 1)}${empty ? '' : ','}\n${indent}${member}${empty ? `\n${lineIndent(text, objectStart)}` : ''}${text.slice(last + 1)}`;
}

function offsetOf(text: string, location: JsonLocation): number {
  let offset = 0;
  for (let line = 1; line < location.line; line++) offset = text.indexOf('\n', offset) + 1;
  return offset + location.column - 1;
}

function skipSpace(text: string, offset: number): number {
  while (offset < text.length && /\s/.test(text[offset])) offset++;
  return offset;
}

/** The offset after the string that starts at `offset` (a `"`). */
function skipString(text: string, offset: number): number {
  for (let i = offset + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** The offset after the JSON value that starts at `offset`. */
function valueEnd(text: string, offset: number): number {
  const first = text[offset];
  if (first === '"') return skipString(text, offset);
  if (first !== '{' && first !== '[') {
    let i = offset;
    while (i < text.length && !/[\s,}\]]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  for (let i = offset; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') i = skipString(text, i) - 1;
    else if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
  }
  return text.length;
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}
