import type { Severity } from '../rules/finding';
import type { RuleId } from '../rules/ruleTable';

export type RuleSetting = Severity | 'off';

export interface SftpSettings {
  host: string;
  port?: number;
  username: string;
  privateKeyPath?: string;
  /** The server's host key fingerprint, `SHA256:...` as ssh-keygen -lf prints it. */
  hostKeyFingerprint?: string;
  directory?: string;
  importPath?: string;
  synchronizePath?: string;
  exportPath?: string;
}

/** One integration profile, mirroring Alma's SIS profile wizard (SPEC section 2). */
export interface Profile {
  code: string;
  name?: string;
  xsdVersion?: 1 | 2;
  recordType?: 'PUBLIC' | 'STAFF' | 'CONTACT';
  usedFor?: 'users' | 'researchers' | 'both';
  matchIdType?: string;
  unmatched?: 'add' | 'reject';
  sftp?: SftpSettings;
  /** Path of the code tables file, relative to the configuration file. */
  codeTables?: string;
  /**
   * The profile's XSL converter, a stylesheet relative to the configuration file: Alma applies it
   * to every file before loading it, so its output is what validate, zip and dry-run check.
   */
  xslConverter?: string;
  /**
   * The files of the profile's feed, as globs relative to the configuration file, in load order
   * (a file matched by an earlier glob comes first; one glob's files in path order). The
   * editor's sets and `zip` follow it; other XML files are not part of the feed.
   */
  feed?: string[];
  /** Where Alma's Export Users output (the dry-run's baseline) lies: a path or glob relative to the configuration; the newest match is used. Never part of the feed. */
  baseline?: string;
  rules?: Partial<Record<RuleId, RuleSetting>>;
  strict?: boolean;
}

/** The parsed `alma-sis.config.json`. */
export interface AlmaSisConfig {
  /** Absolute path of the file it was read from, for resolving relative paths. */
  path: string;
  profiles: Profile[];
  defaultProfile?: string;
  rules: Partial<Record<RuleId, RuleSetting>>;
  strict: boolean;
}

/** One code of an institution's code table. */
export interface CodeEntry {
  code: string;
  description?: string;
}

/** Code tables by name (userGroups, identifierTypes...); see config/codeTables.ts for the names. */
export type CodeTables = Record<string, CodeEntry[]>;

/** Everything the validator needs to know beyond the file itself. */
export interface ValidationSettings {
  /** The profile's XSD version; absent means "detect from the file". */
  xsdVersion?: 1 | 2;
  usedFor?: 'users' | 'researchers' | 'both';
  /** `primary_id` or an identifier type code. */
  matchIdType?: string;
  codeTables?: CodeTables;
  rules: Partial<Record<RuleId, RuleSetting>>;
  strict: boolean;
}

export const DEFAULT_SETTINGS: ValidationSettings = { rules: {}, strict: false };
