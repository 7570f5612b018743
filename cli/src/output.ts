export type OutputFormat = 'json' | 'table';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function grid(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * A value as text: JSON as the API gave it, or a table (a list of objects:
 * one row each, columns the union of their members; one object: a
 * member/value listing).
 */
export function render(value: unknown, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(value, null, 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    const cols = [...new Set(value.flatMap((r) => (typeof r === 'object' && r ? Object.keys(r) : ['value'])))];
    const rows = value.map((r) =>
      typeof r === 'object' && r ? cols.map((c) => cell((r as Record<string, unknown>)[c])) : [cell(r)],
    );
    return grid([cols.map((c) => c.toUpperCase()), ...rows]);
  }
  if (typeof value === 'object' && value !== null) {
    return grid(Object.entries(value).map(([k, v]) => [k, cell(v)]));
  }
  return cell(value);
}
