// The sandbox (and busboy with it) is loaded only by `batchprep sandbox`: no library entry point
// and no other command reaches src/sandbox/ through its static imports.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');

/** Every src file reachable from `entry` through static `import ... from './x.js'` (not `import()`). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      visit(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return new Set([...seen].map((f) => relative(src, f)));
}

describe('sandbox loading', () => {
  it('src/index.ts and src/cli/main.ts reach nothing under src/sandbox/', () => {
    for (const entry of ['index.ts', 'cli/main.ts', 'cli/bin.ts']) {
      const files = [...reachable(join(src, entry))];
      expect(files.length).toBeGreaterThan(3);
      expect(files.filter((f) => f.startsWith('sandbox/')), entry).toEqual([]);
    }
  });

  it('the sandbox command does reach it (the scan sees imports)', () => {
    expect([...reachable(join(src, 'cli', 'commands', 'sandbox.ts'))]).toContain('sandbox/filex-server.ts');
  });
});
