import { type ClientMetadataError, fail } from './metadata-check.ts';

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function string(value: unknown, member: string, error: ClientMetadataError = 'invalid_client_metadata'): string {
  if (typeof value !== 'string') return fail(`${member} must be a string`, error);
  if (value.length === 0) return fail(`${member} must not be empty`, error);
  return value;
}

export function stringArray(
  value: unknown,
  member: string,
  error: ClientMetadataError = 'invalid_client_metadata',
): string[] {
  if (!Array.isArray(value)) return fail(`${member} must be an array of strings`, error);
  const seen = new Set<string>();
  for (const item of value) {
    string(item, `every member of ${member}`, error);
    if (seen.has(item as string)) fail(`${member} lists "${item as string}" twice`, error);
    seen.add(item as string);
  }
  return value as string[];
}

export const boolean = (value: unknown, member: string): boolean =>
  typeof value === 'boolean' ? value : fail(`${member} must be a boolean`);
