/*
 * What Upload to SFTP shows when an upload did not happen: the next step as a button (the
 * configuration to fix, a retry for a connection, forgetting a saved password that no longer
 * works), and a message that is never cut: a long one shows its first sentence, and "Show Details"
 * shows the whole of it. Plain data in, text out (no vscode import). The reasons are the engine's
 * UploadFailure (server/src/engine/upload/sftpUpload.ts), as the server's answer carries them.
 */

/** An untrusted workspace: the command says why it does nothing, and offers to manage the trust. */
export const RESTRICTED_MODE_MESSAGE = 'Upload is off in Restricted Mode: it reads SSH keys and writes to a server. Trust this workspace to use it.';

export type NextStep = 'Open Configuration' | 'Retry' | 'Forget Saved Password' | 'Forget Saved Passphrase';

export const SHOW_DETAILS = 'Show Details';

/** Longer than this, a notification shows the first sentence and offers the rest behind SHOW_DETAILS. */
export const HEADLINE_LIMIT = 160;

export interface FailureFacts {
  /** An UploadFailure, or 'request' for a command the server could not run (a configuration it cannot read). */
  reason: string;
  /** Fit to show (control characters escaped by the server). */
  message: string;
  /** The configuration file the upload read, when known. */
  configPath?: string;
  /** A secret from secret storage that this login tried (SavedSecret decides whether it is to blame). */
  saved?: 'password' | 'passphrase';
}

export interface FailureNotice {
  /** The notification's text: the headline. */
  message: string;
  /** The whole message, for the modal behind SHOW_DETAILS; undefined when the headline is all of it. */
  detail?: string;
  steps: NextStep[];
  /** The steps, then SHOW_DETAILS when the message was longer than its headline. */
  buttons: string[];
}

/**
 * A stored key passphrase is to blame only when the key could not be opened; a server that refuses
 * the key itself is not helped by another passphrase. A stored password is to blame for any refusal.
 */
export function savedSecretSuspect(kind: 'password' | 'passphrase', message: string): boolean {
  return kind === 'password' || /passphrase|decrypt|encrypted/i.test(message);
}

/** The buttons that can move a failure on, most useful first. */
export function nextSteps(facts: FailureFacts): NextStep[] {
  const configuration: NextStep[] = facts.configPath === undefined ? [] : ['Open Configuration'];
  switch (facts.reason) {
    // A folder, a host or a pinned key that the configuration names: that is where it is fixed.
    case 'configuration':
    case 'request':
    case 'remote-folder':
    case 'host-key-mismatch':
    case 'host-key-unknown':
      return configuration;
    // Already retried with backoff by the engine; the person may know the network is back.
    case 'connection':
    case 'size-mismatch':
      return ['Retry'];
    case 'authentication':
      if (facts.saved !== undefined) return [facts.saved === 'password' ? 'Forget Saved Password' : 'Forget Saved Passphrase'];
      // No key, password or agent configured, or a key file that cannot be used.
      if (/no way to log in|private key/i.test(facts.message)) return configuration;
      return ['Retry'];
    case 'local-file':
      return /private key/i.test(facts.message) ? configuration : [];
    default:
      return [];
  }
}

/**
 * The message's first sentence when it is too long for a notification: up to the first `. ` or
 * `; ` (the engine joins its clauses so), else the first `: `, else whole words up to the limit.
 */
export function headline(message: string, limit = HEADLINE_LIMIT): { headline: string; cut: boolean } {
  const text = message.trim();
  if (text.length <= limit) return { headline: text, cut: false };
  const sentence = /[.;](?=\s)/.exec(text);
  if (sentence !== null && sentence.index > 0 && sentence.index <= limit) return { headline: text.slice(0, sentence.index), cut: true };
  const clause = text.indexOf(': ');
  if (clause > 0 && clause <= limit) return { headline: text.slice(0, clause), cut: true };
  const space = text.lastIndexOf(' ', limit);
  return { headline: `${text.slice(0, space > 0 ? space : limit)}…`, cut: true };
}

export function failureNotice(facts: FailureFacts, what = 'upload failed'): FailureNotice {
  const steps = nextSteps(facts);
  const { headline: first, cut } = headline(facts.message);
  return {
    message: `Alma SIS: ${what}: ${first}`,
    detail: cut ? facts.message : undefined,
    steps,
    buttons: cut ? [...steps, SHOW_DETAILS] : [...steps],
  };
}

/**
 * Where Open Configuration puts the cursor: on the pinned fingerprint a server no longer shows,
 * else on the profile's code. Found in the text the editor holds; undefined when neither is in it
 * (the file is only opened then).
 */
export function configurationFocus(text: string, focus: { profile?: string; fingerprint?: string }): { offset: number; length: number } | undefined {
  if (focus.fingerprint !== undefined && focus.fingerprint !== '') {
    const at = text.indexOf(focus.fingerprint);
    if (at >= 0) return { offset: at, length: focus.fingerprint.length };
  }
  if (focus.profile === undefined) return undefined;
  const code = new RegExp(`"code"\\s*:\\s*${escapeRegExp(JSON.stringify(focus.profile))}`).exec(text);
  return code === null ? undefined : { offset: code.index, length: code[0].length };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
