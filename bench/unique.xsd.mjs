#!/usr/bin/env node
// Builds bench/data/users-unique.xsd: the shared rest_user.xsd with its untyped `users` root replaced by a
// typed one that carries an xs:unique over every identifier, so `xmllint --schema` checks the same
// cross-user uniqueness our `duplicate-identifier` rule does and the benchmark compares like with like.
//
//   node bench/unique.xsd.mjs            (writes bench/data/users-unique.xsd and rest_researcher.xsd)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(benchDir, '..');
export const dataDir = join(benchDir, 'data');
/** Where the shared schema lives when the checkout sits beside the shared folder, as in CI. */
export const sharedAlmaDir = resolve(repoRoot, '..', 'shared', 'alma');
export const uniqueSchemaPath = join(dataDir, 'users-unique.xsd');

const UNTYPED_USERS = '<xs:element name="users"/>';

// One constraint over the union, not one per field: Alma keeps primary ids and identifier values in one
// namespace, so a barcode equal to another user's primary id is a duplicate too. xs:unique compares
// case-sensitively, unlike Alma for primary_id; the generated files only plant exact duplicates.
const TYPED_USERS = `<xs:element name="users">
		<xs:complexType>
			<xs:sequence>
				<xs:element ref="user" minOccurs="0" maxOccurs="unbounded"/>
			</xs:sequence>
		</xs:complexType>
		<xs:unique name="unique-identifier">
			<xs:selector xpath="user/primary_id | user/user_identifiers/user_identifier/value"/>
			<xs:field xpath="."/>
		</xs:unique>
	</xs:element>`;

/**
 * Writes the schema pair into `outDir` and returns the path of the main schema.
 * Throws an Error with a readable message when the shared schema is missing or no longer has the line
 * this replaces.
 */
export function buildUniqueSchema({ sourceDir = sharedAlmaDir, outDir = dataDir } = {}) {
  const userXsd = join(sourceDir, 'rest_user.xsd');
  const researcherXsd = join(sourceDir, 'rest_researcher.xsd');
  for (const path of [userXsd, researcherXsd]) {
    if (!existsSync(path)) throw new Error(`the shared schema is missing: ${path} not found`);
  }
  const source = readFileSync(userXsd, 'utf8');
  const occurrences = source.split(UNTYPED_USERS).length - 1;
  if (occurrences !== 1) {
    throw new Error(`${userXsd} has ${occurrences} copies of ${UNTYPED_USERS}, expected exactly one`);
  }
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, 'users-unique.xsd');
  writeFileSync(target, source.replace(UNTYPED_USERS, TYPED_USERS));
  // rest_user.xsd includes it by a relative schemaLocation. Written, not copied: copying keeps the shared
  // file's read-only mode, and the next run could not overwrite it.
  writeFileSync(join(outDir, 'rest_researcher.xsd'), readFileSync(researcherXsd));
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${buildUniqueSchema()}\n`);
  } catch (error) {
    process.stderr.write(`unique.xsd: ${error.message}\n`);
    process.exit(1);
  }
}
