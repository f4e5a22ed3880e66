// Binds a request's params, positional or named, to a method's param list and checks each one's type.
import { InvalidParamsError } from '../errors/errors.js';

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'string[]';

export interface ParamSpec {
  readonly name: string;
  readonly required: boolean;
  readonly type: ParamType;
  readonly description?: string;
  /** Other names a client may give it by (named params only). */
  readonly aliases?: readonly string[];
}

/** A JSON value's type as a request's params are checked against it (config files have their own words: config/describe-value.ts). */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const TYPE_PHRASE: Readonly<Record<ParamType, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  'string[]': 'an array of strings',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function nameList(specs: readonly ParamSpec[]): string {
  return specs.length === 0 ? 'no params' : specs.map((p) => p.name).join(', ');
}

/**
 * Binds positional or named params to the method's param list and checks each against its
 * type. A null counts as absent, because clients of zinit send `[null]` for an omitted
 * optional parameter.
 */
export function bindParams(method: string, specs: readonly ParamSpec[], params: unknown): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  /** The key each named param came under, so a message uses the client's word. */
  const givenAs = new Map<string, string>();
  if (params === undefined) {
    // no params at all: every param is absent
  } else if (Array.isArray(params)) {
    if (params.length > specs.length) {
      throw new InvalidParamsError(
        method,
        `takes at most ${specs.length} positional param(s) (${nameList(specs)}), got ${params.length}`,
      );
    }
    params.forEach((value, i) => {
      const spec = specs[i];
      if (spec !== undefined && value !== null) given[spec.name] = value;
    });
  } else if (isPlainObject(params)) {
    // As zinit does: a named param the method does not take is ignored, so a newer client's extra param is no error.
    for (const [key, value] of Object.entries(params)) {
      const spec = specs.find((s) => s.name === key || s.aliases?.includes(key) === true);
      if (spec === undefined || value === null) continue;
      const earlier = givenAs.get(spec.name);
      if (earlier !== undefined) {
        throw new InvalidParamsError(method, `"${earlier}" and "${key}" name the same param; give only "${spec.name}"`, { param: spec.name });
      }
      givenAs.set(spec.name, key);
      given[spec.name] = value;
    }
  } else {
    throw new InvalidParamsError(method, `"params" must be an array or an object, got ${describeJsonType(params)}`);
  }
  for (const spec of specs) {
    const value = given[spec.name];
    if (value === undefined) {
      if (spec.required) {
        throw new InvalidParamsError(method, `missing required param "${spec.name}" (${TYPE_PHRASE[spec.type]})`, {
          param: spec.name,
          expected: spec.type,
        });
      }
    } else if (!matchesType(value, spec.type)) {
      throw new InvalidParamsError(
        method,
        `"${givenAs.get(spec.name) ?? spec.name}" must be ${TYPE_PHRASE[spec.type]}, got ${describeJsonType(value)}`,
        { param: spec.name, expected: spec.type },
      );
    }
  }
  return given;
}
