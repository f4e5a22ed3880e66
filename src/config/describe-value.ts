// How a found value is shown in an error message: its type and, when short, the value itself.

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (the key has no value)';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
