/**
 * A small JSON Schema (draft-07) checker for the keywords our own schemas use, so tests can hold
 * the schemas and the hand-written parsers to the same shapes without a validator dependency.
 * It throws on a keyword it does not know, so a schema cannot quietly outgrow it.
 */

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'examples', 'enumDescriptions', 'patternErrorMessage', 'deprecationMessage', 'doNotSuggest', 'definitions']);

/** What is wrong with value against schema (the root schema by default, which holds the definitions). */
export function schemaProblems(root: Schema, value: unknown, schema: Schema = root): string[] {
  const problems: string[] = [];
  check(root, schema, value, '$', problems);
  return problems;
}

function check(root: Schema, schema: Schema, value: unknown, where: string, problems: string[]): void {
  for (const [keyword, argument] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case '$ref':
        check(root, resolveRef(root, argument as string), value, where, problems);
        break;
      case 'allOf':
        for (const part of argument as Schema[]) check(root, part, value, where, problems);
        break;
      case 'oneOf': {
        const matching = (argument as Schema[]).filter((part) => schemaProblems(root, value, part).length === 0);
        if (matching.length !== 1) problems.push(`${where}: matches ${matching.length} of the oneOf alternatives`);
        break;
      }
      case 'not':
        if (schemaProblems(root, value, argument as Schema).length === 0) problems.push(`${where}: matches a schema that is not allowed`);
        break;
      case 'type':
        if (!hasType(value, argument as string)) problems.push(`${where}: not of type ${String(argument)}`);
        break;
      case 'enum':
        if (!(argument as unknown[]).some((item) => item === value)) problems.push(`${where}: ${JSON.stringify(value)} is not in the enum`);
        break;
      case 'required':
        if (isObject(value)) {
          for (const key of argument as string[]) if (!(key in value)) problems.push(`${where}: missing required ${key}`);
        }
        break;
      case 'properties':
        if (isObject(value)) {
          for (const [key, child] of Object.entries(value)) {
            const properties = argument as Record<string, Schema>;
            if (Object.prototype.hasOwnProperty.call(properties, key)) check(root, properties[key], child, `${where}.${key}`, problems);
          }
        }
        break;
      case 'additionalProperties':
        if (isObject(value) && argument === false) {
          const known = (schema.properties ?? {}) as Record<string, unknown>;
          for (const key of Object.keys(value)) {
            if (!Object.prototype.hasOwnProperty.call(known, key)) problems.push(`${where}: property ${key} is not allowed`);
          }
        } else if (argument !== false) throw new Error(`schema check: additionalProperties ${JSON.stringify(argument)} is not supported`);
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((item, index) => check(root, argument as Schema, item, `${where}[${index}]`, problems));
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(argument as string, 'u').test(value)) problems.push(`${where}: does not match ${String(argument)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && value.length < (argument as number)) problems.push(`${where}: shorter than ${String(argument)}`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (argument as number)) problems.push(`${where}: less than ${String(argument)}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (argument as number)) problems.push(`${where}: more than ${String(argument)}`);
        break;
      default:
        throw new Error(`schema check: keyword ${keyword} is not supported`);
    }
  }
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`schema check: only local $ref is supported, not ${ref}`);
  let target: unknown = root;
  for (const segment of ref.slice(2).split('/')) target = (target as Record<string, unknown>)[segment];
  if (!isObject(target)) throw new Error(`schema check: $ref ${ref} does not resolve`);
  return target;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'number': return typeof value === 'number';
    case 'integer': return Number.isInteger(value);
    case 'null': return value === null;
    default: throw new Error(`schema check: type ${type} is not supported`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
