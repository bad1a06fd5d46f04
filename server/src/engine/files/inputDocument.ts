/**
 * One XML document to validate, wherever its bytes come from: a file on disk, an entry inside a
 * zip (read in stored order), or an editor buffer. Streams so that a 300k-user file is never
 * held in memory as one piece.
 */
export interface InputDocument {
  /** Display path: as given by the user, or `archive.zip!/entry.xml` for a zip entry. */
  path: string;
  /** For a zip entry: the zip as given and the entry's name in it (the display path alone is ambiguous: a folder may be named `x.zip!`). */
  archive?: ArchiveMember;
  /** Uncompressed size in bytes when known (for progress). */
  size?: number;
  /**
   * Validated on its own, not as a file of the set: why (an Alma export found in a folder). Its
   * identifiers neither take nor are taken by the set's users.
   */
  apart?: string;
  /**
   * The bytes are a converter's output (a profile's XSL converter), made anew on every read: read
   * it once, never just to look at its start.
   */
  converted?: boolean;
  /**
   * The file on disk whose bytes read() gives as they are (not a zip entry, standard input or a
   * converter's output): another thread may read a part of it itself.
   */
  file?: string;
  /**
   * The document's bytes, in chunks. Each call starts a new read from the beginning. A chunk is
   * valid only until the next one is requested (the buffer may be refilled): copy what you keep.
   */
  read(): AsyncIterable<Uint8Array>;
}

export interface ArchiveMember {
  path: string;
  entry: string;
}

/** A problem with the input itself (missing file, unreadable folder, corrupt zip): CLI exit code 2. */
export class InputError extends Error {
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A remark about the input itself (a skipped zip entry, a file named twice): not a finding. */
export interface InputNote {
  /** What it is about: a path as given, or `archive.zip!/entry`. */
  path: string;
  message: string;
}
