import { RULES, type Finding, type InputNote, type Range, type SetResult, type Severity } from '../engine';

export interface SarifOptions {
  /** The tool's version for `tool.driver.version`. */
  toolVersion: string;
  /** Notes about the input itself (skipped zip entries), reported as tool notifications. */
  notes?: readonly InputNote[];
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

const RULE_INDEX = new Map<string, number>(RULES.map((rule, index) => [rule.id, index]));

/**
 * A SARIF 2.1.0 log with one run, for code-scanning dashboards and CI annotations.
 *
 * Files are named by relative URI references as given on the command line (forward slashes,
 * percent-encoded), absolute paths as `file://` URIs. An XML file inside a zip is a nested
 * artifact, as SARIF models it: the zip is an entry of `run.artifacts`, the XML file another
 * entry whose `location.uri` is its path inside the zip and whose `parentIndex` points at the
 * zip; results name the entry by that same URI plus its `index`. Columns are UTF-16 code units
 * (`run.columnKind`), 1-based, with exclusive end columns, as SARIF defines regions.
 */
export function formatSarif(result: SetResult, options: SarifOptions): string {
  const artifacts = new ArtifactTable();
  // Every validated document is listed, in load order and with or without results, so that a
  // viewer can tell what was checked.
  for (const doc of result.documents) artifacts.locate(doc.path);

  const results = result.documents.flatMap((doc) =>
    doc.findings.map((finding) => sarifResult(finding, doc.path, artifacts)),
  );

  const notifications = (options.notes ?? []).map((note) => ({
    level: 'note',
    message: { text: note.message },
    ...(note.path ? { locations: [{ physicalLocation: { artifactLocation: artifacts.locate(note.path) } }] } : {}),
  }));

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'alma-sis',
            version: options.toolVersion,
            rules: RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.description },
              defaultConfiguration: { level: LEVELS[rule.severity] },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        artifacts: artifacts.entries,
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifResult(finding: Finding, path: string, artifacts: ArtifactTable) {
  const related = finding.related.map((r, id) => ({
    id,
    message: { text: r.message },
    physicalLocation: physicalLocation(r.path, r.range, artifacts),
  }));
  return {
    ruleId: finding.rule,
    ruleIndex: RULE_INDEX.get(finding.rule),
    level: LEVELS[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocation(path, finding.range, artifacts) }],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
  };
}

function physicalLocation(path: string, range: Range, artifacts: ArtifactTable) {
  return {
    artifactLocation: artifacts.locate(path),
    region: {
      startLine: range.start.line + 1,
      startColumn: range.start.character + 1,
      endLine: range.end.line + 1,
      endColumn: range.end.character + 1,
    },
  };
}

interface SarifArtifact {
  location: { uri: string };
  parentIndex?: number;
}

/** `run.artifacts`, built as paths are met, each path (and each enclosing zip) listed once. */
class ArtifactTable {
  readonly entries: SarifArtifact[] = [];
  private readonly indexByPath = new Map<string, number>();

  /** The artifactLocation for a display path, adding it (and its zip) to the table if new. */
  locate(path: string): { uri: string; index: number } {
    const index = this.indexOf(path);
    return { uri: this.entries[index].location.uri, index };
  }

  private indexOf(path: string): number {
    const known = this.indexByPath.get(path);
    if (known !== undefined) return known;
    const split = splitArchivePath(path);
    const artifact: SarifArtifact = split
      ? { location: { uri: entryUri(split.entry) }, parentIndex: this.indexOf(split.archive) }
      : { location: { uri: fileUri(path) } };
    this.entries.push(artifact);
    this.indexByPath.set(path, this.entries.length - 1);
    return this.entries.length - 1;
  }
}

/**
 * Splits `dir/archive.zip!/folder/entry.xml` at its last archive separator. Only `!/` right
 * after a `.zip` name counts, so a folder that merely ends in `!` is not mistaken for a zip.
 */
export function splitArchivePath(path: string): { archive: string; entry: string } | undefined {
  const matches = [...path.matchAll(/\.zip!\//gi)];
  const last = matches[matches.length - 1];
  if (last?.index === undefined) return undefined;
  const cut = last.index + '.zip'.length;
  return { archive: path.slice(0, cut), entry: path.slice(cut + 2) };
}

/**
 * A path as given on the command line, as a URI reference: relative paths stay relative,
 * absolute ones (POSIX, `C:\`, UNC) become `file:` URIs.
 */
export function fileUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):\//.exec(slashed);
  if (drive) return `file:///${drive[1]}:/${encodeSegments(slashed.slice(3))}`;
  if (slashed.startsWith('//')) {
    const [host, ...rest] = slashed.slice(2).split('/');
    return `file://${encodeURIComponent(host)}/${encodeSegments(rest.join('/'))}`;
  }
  if (slashed.startsWith('/')) return `file://${encodeSegments(slashed)}`;
  return encodeSegments(slashed);
}

function entryUri(entry: string): string {
  return encodeSegments(entry.replace(/\\/g, '/').replace(/^\/+/, ''));
}

function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
