import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReference } from '../../reference.ts';

describe('docs/cli.md', () => {
  it('holds the reference the CLI generates from its --help (node --import tsx cli/reference.ts)', () => {
    const page = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    expect(withReference(page)).toBe(page);
  });
});
