import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOTS } from '../../src/plugins/slots/index.ts';

const DOCS = join(import.meta.dirname, '../../../docs/plugins');
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The kinds a slot's config accepts, read from its schema (a union of objects with a literal `type`). */
function kinds(schema: unknown): string[] {
  const s = schema as { anyOf?: unknown[] };
  return (s.anyOf ?? [schema]).map((m) => (m as { properties: { type: { const: string } } }).properties.type.const);
}

/** What docs/plugins/README.md's slot table must say of a slot (cells trimmed, so padding does not matter). */
function expectedRow(slot: (typeof SLOTS)[number]): string[] {
  return [
    `[\`${slot.name}\`](${kebab(slot.name)}.md)`,
    slot.title,
    slot.available ? 'yes' : `no: ${slot.unavailableReason}`,
    // `module` goes with every webhook (self-hosted only): its own section says so, not each row.
    kinds(slot.schema)
      .filter((k) => k !== 'module')
      .map((k) => `\`${k}\``)
      .join(', '),
    'events' in slot ? 'events (never on the request path)' : slot.failure,
    slot.idempotent ? 'yes' : 'no',
    String(slot.timeoutMs),
  ];
}

describe('docs/plugins', () => {
  it('has a page for every slot', () => {
    for (const slot of SLOTS) expect(existsSync(join(DOCS, `${kebab(slot.name)}.md`)), slot.name).toBe(true);
  });

  it("README's slot table says what the slot table in the code says", () => {
    const readme = readFileSync(join(DOCS, 'README.md'), 'utf8');
    const rows = readme
      .split('\n')
      .filter((line) => line.startsWith('| [`'))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\|/, '').replace(/\|$/, '').trim()));
    expect(rows).toEqual(SLOTS.map(expectedRow));
  });

  it('a module is a kind of exactly the slots that take a webhook on the request path, and README says so', () => {
    for (const slot of SLOTS)
      expect(kinds(slot.schema).includes('module'), slot.name).toBe(
        kinds(slot.schema).includes('webhook') && !('events' in slot),
      );
    const readme = readFileSync(join(DOCS, 'README.md'), 'utf8');
    expect(readme).toContain('## Modules (self-hosted only)');
    for (const slot of SLOTS.filter((s) => 'events' in s)) expect(readme).toContain(`\`${slot.name}\``);
  });
});
