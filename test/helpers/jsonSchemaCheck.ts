import Ajv, { type AnySchemaObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';

/**
 * Our JSON schemas checked by ajv, the validator editors' JSON services agree with, so the tests
 * hold the schemas and the hand-written parsers to the same shapes. Strict mode stays on: a
 * misspelt keyword in a schema fails the test instead of being ignored.
 */

/** The draft a schema names decides the validator, as an editor would read it. */
const VALIDATORS: Record<string, new () => AjvCore> = {
  'http://json-schema.org/draft-07/schema#': Ajv,
  'https://json-schema.org/draft/2019-09/schema': Ajv2019,
  'https://json-schema.org/draft/2020-12/schema': Ajv2020,
};

/** VS Code's own annotations in our schemas (hover and completion texts): no effect on validation. */
const EDITOR_KEYWORDS = ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'patternErrorMessage', 'deprecationMessage', 'doNotSuggest'];

const compiled = new WeakMap<object, ValidateFunction>();

/** What is wrong with value against schema, one line per ajv error; empty when it conforms. */
export function schemaProblems(schema: Record<string, unknown>, value: unknown): string[] {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const Validator = VALIDATORS[String(schema.$schema)];
    if (Validator === undefined) throw new Error(`schema check: no validator for $schema ${String(schema.$schema)}`);
    const ajv = new Validator();
    ajv.addVocabulary(EDITOR_KEYWORDS);
    validate = ajv.compile(schema as AnySchemaObject);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `$${error.instancePath}: ${error.message ?? error.keyword}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}
