/** A remark about the input itself, e.g. a zip entry that was skipped; not a finding. */
export interface InputNote {
  path: string;
  message: string;
}

/**
 * expandInputs reports notes as `path: message` strings; the formatters need the path apart
 * (a SARIF notification points at an artifact). A note without that shape keeps an empty path.
 */
export function parseInputNote(note: string): InputNote {
  const cut = note.indexOf(': ');
  return cut < 0 ? { path: '', message: note } : { path: note.slice(0, cut), message: note.slice(cut + 2) };
}
