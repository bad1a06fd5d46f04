/**
 * The engine's public surface for the adapters (CLI, language server, VS Code client). Nothing
 * here imports `vscode` or an LSP connection: adapters translate, the engine decides.
 */
export { validateText, validateBytes } from './validation/validateDocument';
export { validateInputs, type ValidateSetOptions } from './validation/validateSet';
export { toLspDiagnostic, DIAGNOSTIC_SOURCE, type DiagnosticData } from './validation/lspDiagnostics';
export { countSeverities, type DocumentResult, type SetResult, type Summary, type SeverityCounts, type Progress } from './validation/results';
export { expandInputs, type ExpandedInputs } from './files/inputs';
export { InputError, type InputDocument, type InputNote, type ArchiveMember } from './files/inputDocument';
export { isAlmaUserFile } from './files/almaUserFile';
export { loadConfig, findConfig, selectProfile, settingsFor, resolveXslConverterPath, ConfigError } from './config/configFile';
export { loadCodeTables, resolveCodeTablesPath, CODE_TABLE_NAMES, ALMA_TABLE_NAMES } from './config/codeTables';
export {
  importCodeTables,
  codeTableNameFor,
  unknownTableMessage,
  describeTableChange,
  formatPlace as formatImportPlace,
  CodeTablesImportError,
  type CodeTablesImportRequest,
  type CodeTablesImportResult,
  type ImportedTableChange,
  type ImportNote,
  type ImportProblem,
} from './config/codeTablesImport';
export { resolveProfile, type ProfileRequest, type ResolvedProfile } from './config/resolveProfile';
export { feedFiles, feedRank, compareInFeed, baselineFile, isBaseline } from './config/feedFiles';
export { resolveFileSettings, configPathFor, codeTablesFilesOf, type SettingsChoice, type FileSettings, type FileSettingsOptions } from './config/fileSettings';
export type { AlmaSisConfig, Profile, ValidationSettings, CodeTables } from './config/types';
export { DEFAULT_SETTINGS } from './config/types';
export { RULES, ruleDef, type RuleId, type RuleDef } from './rules/ruleTable';
export { v1Vocabulary, v2Vocabulary } from './schema/models';
export type { Finding, Severity, RelatedLocation } from './rules/finding';
export type { Position, Range } from './text/span';
export { visible, visibleLines } from './text/visibleText';
export * as languageService from './languageService/index';
export {
  uploadZip,
  remoteFolder,
  temporaryName,
  resolveKeyPath,
  UploadError,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  type UploadRequest,
  type UploadOptions,
  type UploadProgress,
  type UploadResult,
  type UploadTarget,
  type UploadFailure,
  type SftpCredentials,
} from './upload/sftpUpload';
export { hostKeyFingerprint } from './upload/hostKey';
export {
  createZipPackage,
  defaultZipName,
  PackagingRefused,
  type ZipPackageRequest,
  type ZipPackageOptions,
  type ZipPackageProgress,
  type ZipPackageResult,
  type PackagedEntry,
} from './packaging/zipPackage';
export { dryRun, type DryRunOptions, type DryRunProgress, type FeedSplitOptions } from './dryRun/dryRun';
export { LOADER_REJECTS } from './dryRun/rejections';
export { dryRunJson, dryRunText, dryRunMarkdown, summaryLine as dryRunSummaryLine, rejectionsByDocument, type RejectionMark } from './dryRun/formatReport';
export { dryRunHtml, HTML_REPORT_CSP } from './dryRun/htmlReport';
export {
  ALERT_THRESHOLD,
  REJECT_REASONS,
  type DryRunMode,
  type DryRunOutcome,
  type DryRunReport,
  type DryRunSummary,
  type DryRunUser,
  type FieldChange,
  type RejectReason,
} from './dryRun/types';
export {
  IncrementalDocument,
  NO_EARLIER_FILES,
  type EarlierFiles,
  type UserIdentifiers,
  type IncrementalStats,
} from './incremental/incrementalDocument';
export { indexIdentifiers, earlierFilesOf, type FileIdentifiers } from './incremental/setIdentifiers';
export {
  identifierSignature,
  sameIdentifierSignature,
  earlierFilesSignature,
  NO_IDENTIFIER_SIGNATURE,
  type IdentifierSignature,
} from './incremental/identifierSignatures';
export { EditableText } from './incremental/editableText';
export { sampleChunks, sampleText, writeSample, writeSampleFile, DEFAULT_SAMPLE_USERS, type SampleOptions } from './samples/sampleGenerator';
export { userTemplate, findEnclosingUser, UserTemplateError, type UserTemplate, type TemplateValues } from './samples/userTemplate';
export { withHostKeyFingerprint } from './config/configEdit';
export {
  convertV1ToV2Text,
  convertV1ToV2Stream,
  convertV1ToV2File,
  v2FileName,
  ConversionError,
  MAX_LISTED as MAX_CONVERSION_LISTED,
  type ConversionReport,
  type ConversionRefusal,
  type NoHomeValue,
  type ChangedValue,
  type ConvertFileOptions,
} from './convert/v1ToV2';
export { V1_TO_V2, V1_TO_V2_BY_PATH, V2_REQUIRED_DEFAULTS, transformValue, type V1ToV2Field, type ValueTransform } from './convert/v1ToV2Map';
export {
  loadXslConverter,
  profileXslConverter,
  profileLoads,
  convertFileWithXsl,
  xslOutputFileName,
  runXslConverter,
  readXslSource,
  convertedDocuments,
  stylesheetNotes,
  saxonScripts,
  compiledStylesheet,
  XslError,
  AFTER_XSL,
  DEFAULT_XSL_LIMITS,
  type XslConverter,
  type XslLimits,
  type XslOutput,
} from './xsl/xslConverter';
export { checkStylesheet, ALMA_EDITOR_LIMIT, type StylesheetRemark, type StylesheetCheck } from './xsl/stylesheetCheck';
