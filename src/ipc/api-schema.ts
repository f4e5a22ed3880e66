// JSON schemas that also carry their TypeScript type, so a result is declared once for the OpenRPC document and for the code that reads it.

export type JsonSchema = Readonly<Record<string, unknown>>;

/** A JSON schema and, in the type only, the TypeScript type of the values it describes. */
export interface Schema<T> {
  readonly json: JsonSchema;
  /** Never set: it holds the type for `Infer`. */
  readonly type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Readonly<Record<string, Schema<unknown>>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<R extends Shape, O extends Shape> = Simplify<
  { readonly [K in keyof R]: Infer<R[K]> } & { readonly [K in keyof O]?: Infer<O[K]> }
>;

function schema<T>(json: JsonSchema): Schema<T> {
  return { json };
}

export const string = (): Schema<string> => schema({ type: 'string' });
export const integer = (): Schema<number> => schema({ type: 'integer' });
export const number = (): Schema<number> => schema({ type: 'number' });
export const boolean = (): Schema<boolean> => schema({ type: 'boolean' });
export const unknown = (): Schema<unknown> => schema({});

export function literal<const L extends readonly string[]>(...values: L): Schema<L[number]> {
  return schema({ type: 'string', enum: values });
}

export function nullable<T>(of: Schema<T>): Schema<T | null> {
  return schema({ oneOf: [of.json, { type: 'null' }] });
}

export function array<T>(items: Schema<T>): Schema<readonly T[]> {
  return schema({ type: 'array', items: items.json });
}

/** An object with any keys, each value of one schema. */
export function record<T>(values: Schema<T>): Schema<Readonly<Record<string, T>>> {
  return schema({ type: 'object', additionalProperties: values.json });
}

/** An object with these keys, `optional` ones possibly absent; other keys may follow. */
export function object<R extends Shape, O extends Shape = Record<never, never>>(required: R, optional?: O): Schema<ObjectOf<R, O>> {
  const properties: Record<string, JsonSchema> = {};
  for (const [key, s] of Object.entries({ ...required, ...optional })) properties[key] = s.json;
  return schema({ type: 'object', properties, required: Object.keys(required) });
}

export function oneOf<const S extends readonly Schema<unknown>[]>(...alternatives: S): Schema<Infer<S[number]>> {
  return schema({ oneOf: alternatives.map((a) => a.json) });
}

/** A type the builders cannot express (a recursive one), with its schema written by hand beside it. */
export function declared<T>(json: JsonSchema): Schema<T> {
  return schema(json);
}

/** The same schema with a description for the document. */
export function described<T>(s: Schema<T>, description: string): Schema<T> {
  return schema({ ...s.json, description });
}
