import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES, type ArchiveMember, type Finding, type InputNote, type Range, type SetResult, type Severity } from '../engine';

export interface SarifOptions {
  /** The tool's version for `tool.driver.version`. */
  toolVersion: string;
  /** The folder relative paths are relative to (the working directory): `SRCROOT`. */
  baseDir: string;
  /** Notes about the input itself (skipped zip entries), reported as tool notifications. */
  notes?: readonly InputNote[];
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The `originalUriBaseIds` entry relative artifact URIs are resolved against. */
export const BASE_ID = 'SRCROOT';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

const RULE_INDEX = new Map<string, number>(RULES.map((rule, index) => [rule.id, index]));

/**
 * A SARIF 2.1.0 log with one run, for code-scanning dashboards and CI annotations, in pieces:
 * a run can hold a million results, and one JSON string of them would pass V8's string limit.
 *
 * A path inside the working directory is a relative URI with `uriBaseId: SRCROOT`, which
 * `originalUriBaseIds` maps to the working directory's `file:` URI, so a viewer can open it; any
 * other path is an absolute `file:` URI. An XML file inside a zip is a nested artifact, as SARIF
 * models it: its `location.uri` is its path inside the zip and its `parentIndex` points at the
 * zip. Columns are UTF-16 code units (`run.columnKind`), 1-based, with exclusive end columns.
 */
export function* sarifReport(result: SetResult, options: SarifOptions): Generator<string> {
  const artifacts = new ArtifactTable(options.baseDir);
  // Every validated document is listed, in load order and with or without results, so that a
  // viewer can tell what was checked.
  for (const doc of result.documents) artifacts.add(doc.path, doc.archive);

  const head = {
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
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { [BASE_ID]: { uri: directoryUri(options.baseDir) } },
      },
    ],
  };
  const headText = JSON.stringify(head, null, 2);
  // The run object stays open (its last two closing lines cut off) so results stream into it.
  yield `${headText.slice(0, headText.lastIndexOf('}', headText.lastIndexOf(']') - 1)).trimEnd()},\n      "results": [`;
  let first = true;
  for (const doc of result.documents) {
    for (const finding of doc.findings) {
      yield `${first ? '' : ','}\n        ${indent(JSON.stringify(sarifResult(finding, doc.path, artifacts), null, 2), 8)}`;
      first = false;
    }
  }
  yield first ? '],' : '\n      ],';

  const notifications = (options.notes ?? []).map((note) => ({
    level: 'note',
    message: { text: note.message },
    ...(note.path ? { locations: [{ physicalLocation: { artifactLocation: artifacts.locate(note.path) } }] } : {}),
  }));
  const invocations = [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }];
  yield `\n      "invocations": ${indent(JSON.stringify(invocations, null, 2), 6)},`;
  yield `\n      "artifacts": ${indent(JSON.stringify(artifacts.entries, null, 2), 6)}\n    }\n  ]\n}\n`;
}

/** The whole log as one string, for small results and tests. */
export function formatSarif(result: SetResult, options: SarifOptions): string {
  return [...sarifReport(result, options)].join('');
}

function sarifResult(finding: Finding, path: string, artifacts: ArtifactTable) {
  const related = finding.related.map((r, id) => ({
    id,
    message: { text: r.message },
    physicalLocation: physicalLocation(r.path, r.range, artifacts),
  }));
  // A collapsed finding that rejects users: every other place, with the user it rejects.
  for (const place of finding.places?.slice(1) ?? []) {
    related.push({
      id: related.length,
      message: { text: `also here: ${place.user?.primaryId != null ? `user ${place.user.primaryId}` : 'a user without primary_id'}` },
      physicalLocation: physicalLocation(path, place.range, artifacts),
    });
  }
  return {
    ruleId: finding.rule,
    ruleIndex: RULE_INDEX.get(finding.rule),
    level: LEVELS[finding.severity],
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocation(path, finding.range, artifacts) }],
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    ...(finding.occurrences !== undefined ? { occurrenceCount: finding.occurrences } : {}),
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

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface SarifArtifact {
  location: ArtifactLocation;
  parentIndex?: number;
}

/** `run.artifacts`, built as paths are met, each path (and each enclosing zip) listed once. */
class ArtifactTable {
  readonly entries: SarifArtifact[] = [];
  private readonly indexByPath = new Map<string, number>();
  /** Display paths of zip entries, and the zips they are in: only these are nested artifacts. */
  private readonly members = new Map<string, ArchiveMember>();

  constructor(private readonly baseDir: string) {}

  /** Lists a validated document; `archive` tells a zip entry from a folder that merely ends in `.zip!`. */
  add(path: string, archive?: ArchiveMember): void {
    if (archive) this.members.set(path, archive);
    this.indexOf(path);
  }

  /** The artifactLocation for a display path, adding it (and its zip) to the table if new. */
  locate(path: string): ArtifactLocation & { index: number } {
    const index = this.indexOf(path);
    return { ...this.entries[index].location, index };
  }

  private indexOf(path: string): number {
    const known = this.indexByPath.get(path);
    if (known !== undefined) return known;
    const member = this.members.get(path) ?? this.noteMember(path);
    const artifact: SarifArtifact = member
      ? { location: { uri: entryUri(member.entry) }, parentIndex: this.indexOf(member.path) }
      : { location: fileLocation(path, this.baseDir) };
    this.entries.push(artifact);
    this.indexByPath.set(path, this.entries.length - 1);
    return this.entries.length - 1;
  }

  /** A note names a skipped entry of a zip that was read: `zip!/entry` with that zip's path only. */
  private noteMember(path: string): ArchiveMember | undefined {
    for (const member of this.members.values()) {
      const prefix = `${member.path}!/`;
      if (path.startsWith(prefix)) return { path: member.path, entry: path.slice(prefix.length) };
    }
    return undefined;
  }
}

/**
 * Where a path as given on the command line is, for a viewer: relative to SRCROOT when it lies
 * inside the working directory, else an absolute `file:` URI.
 */
export function fileLocation(path: string, baseDir: string): ArtifactLocation {
  const slashed = path.replace(/\\/g, '/');
  const inside = !isAbsolute(path) && !/^[A-Za-z]:\//.test(slashed) && !slashed.split('/').includes('..');
  if (inside) return { uri: encodeSegments(slashed.replace(/^(\.\/)+/, '')), uriBaseId: BASE_ID };
  return { uri: pathToFileURL(resolve(baseDir, path)).href };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function entryUri(entry: string): string {
  return encodeSegments(entry.replace(/\\/g, '/').replace(/^\/+/, ''));
}

function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function indent(json: string, spaces: number): string {
  return json.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}
