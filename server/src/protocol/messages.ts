import { NotificationType, RequestType, type Diagnostic } from 'vscode-languageserver-protocol';
import type { SealedSecret } from './sealedSecret';

/**
 * The Alma SIS part of the protocol between the language server and its clients, typed once for
 * both sides (the VS Code client, the server, the stdio tests). Besides the custom requests and
 * the status notification, the server's engine work (zip, dry-run, samples, upload) is offered as
 * `workspace/executeCommand` commands, so any LSP client can run them; their arguments and
 * results are typed in ServerCommands.
 */

export { SETTINGS_SECTION as CONFIGURATION_SECTION } from './settings';

/** The summary of a validation; the diagnostics themselves are published on the file's URI. */
export interface ValidationSummary {
  users: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Wall milliseconds the validation took. */
  ms: number;
}

export interface ValidateFileOnDiskParams {
  /** file: URI of the file to stream from disk. */
  uri: string;
  workDoneToken?: string | number;
  /**
   * Validate it only when its content makes it an Alma user file (its root), as an open document
   * is; otherwise answer `notAlma` and publish nothing. For checks nobody asked for by name (an
   * editor tab on a file too big to sync), where another XML file must be left alone.
   */
  onlyAlma?: boolean;
}

/**
 * The file is validated as a later file of its set, as an open document of that set is (the files
 * before it in its folder's load order, or in its profile's feed; open buffers as the editor holds
 * them): without a feed, its diagnostics are what `alma-sis validate <folder>` reports for it.
 */
export interface ValidateFileOnDiskResult extends ValidationSummary {
  /** The User XSD version detected, or null when the root was not recognised. */
  schemaVersion?: 1 | 2 | null;
  /** What the file was validated with. */
  config?: ConfigInUse;
  /** With `onlyAlma`: the file is not an Alma user file, so it was not validated (the counts are 0). */
  notAlma?: true;
}

/** Request (client -> server): validate a file on disk (for files over the 50 MB editors sync). */
export const ValidateFileOnDiskRequest = new RequestType<ValidateFileOnDiskParams, ValidateFileOnDiskResult, void>('almaSis/validateFileOnDisk');

export interface DocumentStatusParams extends ValidationSummary {
  uri: string;
  /** The User XSD version detected, or null when the root was not recognised. */
  schemaVersion: 1 | 2 | null;
  /** What the document was validated with. */
  config?: ConfigInUse;
  /** The set of files the document belongs to (its folder's files, or the profile's feed), when it is not alone. */
  set?: SetInUse;
}

export interface ConfigInUse {
  /** The configuration file used (or tried, when `problem` says why it could not be); none: no configuration, defaults. */
  path?: string;
  /** Why the configuration could not be used: the defaults apply. */
  problem?: string;
  /** Where in `path` the first problem is, 0-based as LSP counts (absent when the file could not be read at all). */
  problemAt?: { line: number; character: number };
  profile?: string;
  /** The profile's `name`, for people. */
  profileName?: string;
  /** The code tables file the profile names. */
  codeTables?: string;
}

export interface SetInUse {
  /** How the set is named to a person: the profile's feed, or the folder. */
  name: string;
  /** 1-based place of this file in the set's load order. */
  position: number;
  files: number;
}

/** Notification (server -> client) after each validation of a document, for the language status item. */
export const DocumentStatusNotification = new NotificationType<DocumentStatusParams>('almaSis/documentStatus');

/**
 * What the client says of workspace trust: in initializationOptions (`trusted`, absent = trusted:
 * an editor without the notion trusts what it opens), and this notification (client -> server)
 * when the person trusts the workspace. Untrusted, a profile's XSL converter is not run: it is a
 * program the workspace brings.
 */
export interface AlmaSisInitializationOptions {
  settings?: unknown;
  trusted?: boolean;
}
export const WorkspaceTrustedNotification = new NotificationType<object>('almaSis/workspaceTrusted');

// -----------------------------------------------------------------------------------------
// Configuration: what the commands need to ask the person before the server does the work

export interface ProfilesParams {
  /** file: URI of the file the command is for (a feed, a zip); none: the workspace's configuration. */
  uri?: string;
  /** Look in the workspace folders when nothing is found upwards from the file (upload: a zip may be anywhere). */
  orWorkspace?: boolean;
}

export interface SftpSummary {
  host: string;
  port: number;
  username: string;
  /** The private key file, resolved beside the configuration; none: password login. */
  keyPath?: string;
  hostKeyFingerprint?: string;
  /** The remote folder of each job, or why it cannot be used. */
  folders: Record<UploadTarget, { folder: string } | { problem: string }>;
}

export interface ProfileSummary {
  code: string;
  name?: string;
  /** The zip name Create Zip proposes for this profile now. */
  zipName: string;
  /** The newest file the profile's `baseline` names: the dry-run's baseline without asking. */
  baseline?: string;
  sftp?: SftpSummary;
}

export interface ProfilesResult {
  /** The configuration file the settings name or the search found; none: no configuration, defaults apply. */
  configPath?: string;
  /** It could not be read: the message (also shown in that file as diagnostics). */
  problem?: string;
  profiles: ProfileSummary[];
  defaultProfile?: string;
  /** The profile validation uses for this file (the setting's, the default, or the only one); none when several and none chosen. */
  chosen?: string;
  /** The profile the `alma-sis.profile` setting names, when set. */
  setting?: string;
  /** The zip name Create Zip proposes when no profile applies. */
  zipName: string;
}

/** Request (client -> server): the configuration and profiles that apply to a file, resolved as validation resolves them. */
export const ProfilesRequest = new RequestType<ProfilesParams, ProfilesResult, void>('almaSis/profiles');

export interface CodeTablesFilesParams {
  /** Configuration files (absolute paths); the settings' configuration is added by the server. */
  configPaths: string[];
  /** A workspace folder, for a relative alma-sis.configPath. */
  scopeUri?: string;
}

export interface WatchedConfigFiles {
  /** The configuration alma-sis.configPath names, resolved (absolute). */
  named?: string;
  /** The code-tables files the configurations name (absolute, sorted). */
  codeTablesFiles: string[];
}

/** Request (client -> server): the named configuration and the code-tables files to watch. */
export const WatchedConfigFilesRequest = new RequestType<CodeTablesFilesParams, WatchedConfigFiles, void>('almaSis/watchedConfigFiles');

export interface PinHostKeyParams {
  configPath: string;
  profile: string;
  fingerprint: string;
  /** The configuration's text as the editor holds it (it may be open with changes). */
  text: string;
}

/** Request (client -> server): the configuration's text with the host key pinned, formatting kept. */
export const PinHostKeyRequest = new RequestType<PinHostKeyParams, { text: string }, void>('almaSis/pinHostKey');

// -----------------------------------------------------------------------------------------
// Commands (workspace/executeCommand): one argument object each

export type UploadTarget = 'synchronize' | 'import';

export interface CreateZipArgs {
  /** XML files or folders (paths or file: URIs), in load order. */
  inputs: string[];
  /** The zip to write; default: the profile's name in the first input's folder. */
  out?: string;
  /** A profile code; default: as validation chooses. */
  profile?: string;
  /** Write the zip although the files have errors (never for mixed versions). */
  force?: boolean;
}

export interface ZipEntrySummary {
  name: string;
  source: string;
}

export type CreateZipResult =
  | {
      created: true;
      zipPath: string;
      zipBytes: number;
      entries: ZipEntrySummary[];
      /** Written despite errors (`force`). */
      forced: boolean;
      errors: number;
      warnings: number;
      /** What was skipped or looks odd, by file. */
      notes: { path: string; message: string }[];
    }
  | {
      created: false;
      reason: 'errors' | 'mixed-versions';
      message: string;
      /** `file:line: message` of the first error. */
      firstError?: string;
      /** Every error, `path:line:col: rule message`, one a line. */
      errorList: string;
    };

export interface DryRunArgs {
  /** The feed (XML or zip), path or file: URI. */
  input: string;
  /** The Export Users file (XML or zip) with Alma's current users; none: the profile's `baseline`. */
  baseline?: string;
  profile?: string;
}

export interface DryRunRejection {
  /** file: URI of the input file the users are in. */
  uri: string;
  marks: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; code: string; message: string }[];
}

/** Where a user of the report is in its input file, for jumping to it from the report. */
export interface DryRunUserPlace {
  /** The user's index in load order: the `data-user` of the report's rows about it. */
  user: number;
  /** file: URI of the input file. */
  uri: string;
  /** The `<user>` tag, 0-based as LSP counts. */
  line: number;
  character: number;
}

export interface DryRunResult {
  markdown: string;
  /** The report as a self-contained page, as `alma-sis dry-run --format html` writes it. */
  html: string;
  summaryLine: string;
  /** At or over Alma's 5% alert threshold. */
  alert: boolean;
  /** The profile it ran with. */
  profile?: string;
  rejections: DryRunRejection[];
  /** Every user the report shows a row for (all but the unchanged), except those inside a zip, which no editor opens. */
  places: DryRunUserPlace[];
}

export interface GenerateSampleArgs {
  schema: 1 | 2;
  researchers: boolean;
  users: number;
  seed: string;
  /** Write to this file (path or file: URI); none: the text is answered. */
  out?: string;
  /** A file or folder whose configuration gives the codes; none: the first workspace folder's. */
  scope?: string;
}

/** More users than this are only written to a file (`out`): an answer, or an untitled editor, of hundreds of megabytes helps nobody. */
export const MAX_TEXT_SAMPLE_USERS = 5000;

export type GenerateSampleResult = { text: string } | { path: string; users: number };

export interface NewFileFromUserArgs {
  /** An open document's URI. */
  uri: string;
  position: { line: number; character: number };
  values: 'keep' | 'blank';
}

export interface NewFileFromUserResult {
  text: string;
  /** The user's primary_id (v1: userName), kept even when the values are blanked: a name for the new file. */
  primaryId?: string;
}

export interface ConvertToV2Args {
  /** An open User XSD v1 document's URI: its buffer is converted, saved or not. */
  uri: string;
}

/** How many values with no v2 home the answer lists (each with its line); the counts cover all. */
export const MAX_LISTED_NO_HOME = 50;

export interface ConvertToV2Result {
  /** The v2 document. */
  text: string;
  users: number;
  changedCount: number;
  noHomeCount: number;
  /** How many values with no v2 home, by v1 path. */
  noHomeByPath: Record<string, number>;
  /** The first MAX_LISTED_NO_HOME of them; `line` is 1-based. */
  noHome: { path: string; line: number; value: string; reason: string }[];
}

export interface PreviewXslConversionArgs {
  /** The source file (what the SIS writes, before the profile's XSL converter): open or on disk. */
  uri: string;
  /** The URI the client shows the output under: related information in the diagnostics points there. */
  previewUri?: string;
  profile?: string;
}

export type PreviewXslConversionResult =
  | {
      converted: true;
      /** `feed.xml (after XSL)`: the output is a document of its own. */
      name: string;
      /** What Alma loads: the stylesheet's output. */
      text: string;
      /** Its problems, positions in `text`. */
      diagnostics: Diagnostic[];
      users: number;
      errors: number;
      warnings: number;
      /** The stylesheet used (absolute). */
      stylesheet: string;
      /** What can be said of the stylesheet: XSLT 2.0+, over Alma's editor limit; `line:col: message`, 1-based. */
      stylesheetWarnings: string[];
      /** What the stylesheet said with xsl:message. */
      messages: string[];
      ms: number;
    }
  | {
      converted: false;
      /**
       * no-converter: the profile has no xslConverter; untrusted: the workspace is not trusted, so
       * the converter is not run; failed: the stylesheet could not be used or failed on the file.
       */
      reason: 'no-converter' | 'untrusted' | 'failed';
      /** Fit to show. */
      message: string;
      stylesheet?: string;
      /** failed: the stylesheet's line and column (0-based), when known. */
      at?: { line: number; character: number };
      configPath?: string;
    };

export interface UploadArgs {
  /** The zip, path or file: URI. */
  zip: string;
  /** The profile with sftp settings; default: the only such profile. */
  profile?: string;
  target: UploadTarget;
  /** Sealed to the server's key (capabilities.experimental.almaSis.sealKey). */
  password?: SealedSecret;
  passphrase?: SealedSecret;
  /** An ssh-agent socket to try. */
  agent?: string;
}

export type UploadResultMessage =
  | { uploaded: true; remotePath: string; host: string; attempts: number; otherZips: string[] }
  | {
      uploaded: false;
      reason: string;
      /** Fit to show: control characters escaped. */
      message: string;
      /** First contact: the fingerprint the server showed, to be compared and pinned. */
      seenFingerprint?: string;
      configPath?: string;
    };

export interface ImportCodeTablesArgs {
  /** Alma code table exports (.json) or code,description files (.csv), paths or file: URIs; each fills one table or more. */
  files: string[];
  /** The code tables file to write; none: the one the configuration's profile names (see `reason: 'no-target'`). */
  into?: string;
  /** The table every file fills, our name or Alma's: needed when a file is CSV (see `reason: 'needs-table'`). */
  table?: string;
  /** A file or folder whose configuration names the code tables file; none: the workspace's. */
  scope?: string;
  profile?: string;
}

export type ImportCodeTablesResult =
  | {
      imported: true;
      /** The code tables file written (absolute). */
      into: string;
      created: boolean;
      /** One line per table: `userGroups: 12 codes from UserGroups.json (Alma's UserGroups); replaced 8 codes: 5 added, 1 removed`. */
      tables: string[];
      /** Rows left out on purpose (disabled in Alma, repeated), `path:line: message`. */
      notes: string[];
      /** What the validator will still refuse in tables that were not imported. */
      remainingProblems: string[];
    }
  | {
      imported: false;
      /**
       * no-target: no `into`, and the configuration names no code tables file (ask for one);
       * needs-table: a CSV file and no `table` (ask, from `tables`); problems: the inputs or the
       * file have problems, nothing was written.
       */
      reason: 'no-target' | 'needs-table' | 'problems';
      message: string;
      /** needs-table: the tables, ours with Alma's name where Alma has one. */
      tables?: { name: string; almaName?: string }[];
      /** problems: every one, `path:line:col: message`. */
      problems?: string[];
      /** no-target: the configuration that was looked at, when there is one. */
      configPath?: string;
    };

export interface ServerCommands {
  'alma-sis.createZip': { args: CreateZipArgs; result: CreateZipResult };
  'alma-sis.dryRun': { args: DryRunArgs; result: DryRunResult };
  'alma-sis.generateSample': { args: GenerateSampleArgs; result: GenerateSampleResult };
  'alma-sis.importCodeTables': { args: ImportCodeTablesArgs; result: ImportCodeTablesResult };
  'alma-sis.newFileFromUser': { args: NewFileFromUserArgs; result: NewFileFromUserResult };
  'alma-sis.convertToV2': { args: ConvertToV2Args; result: ConvertToV2Result };
  'alma-sis.previewXslConversion': { args: PreviewXslConversionArgs; result: PreviewXslConversionResult };
  'alma-sis.upload': { args: UploadArgs; result: UploadResultMessage };
}

export type ServerCommand = keyof ServerCommands;

/** The commands the server advertises in executeCommandProvider. */
export const SERVER_COMMANDS: readonly ServerCommand[] = [
  'alma-sis.createZip',
  'alma-sis.dryRun',
  'alma-sis.convertToV2',
  'alma-sis.previewXslConversion',
  'alma-sis.generateSample',
  'alma-sis.importCodeTables',
  'alma-sis.newFileFromUser',
  'alma-sis.upload',
];

/** What the server adds under capabilities.experimental. */
export interface AlmaSisExperimental {
  almaSis: { sealKey: string };
}
