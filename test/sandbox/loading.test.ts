// The sandbox (and busboy with it) is loaded only by `batchprep sandbox`: no library entry point
// and no other command reaches src/sandbox/ through its static imports.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');

/** Every src file reachable from `entry` through static imports (and `import()` too with `dynamic`). */
function reachable(entry: string, dynamic = false): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) => m[1]!);
    if (dynamic) specifiers.push(...[...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!));
    for (const spec of specifiers) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return new Set([...seen].map((f) => relative(src, f)));
}

describe('sandbox loading', () => {
  it('no library entry point (src/index.ts, src/entry/*), even through import(), reaches src/sandbox/', () => {
    const entries = ['index.ts', ...readdirSync(join(src, 'entry')).filter((f) => f.endsWith('.ts')).map((f) => `entry/${f}`)];
    expect(entries.length).toBeGreaterThan(3);
    for (const entry of entries) {
      const files = [...reachable(join(src, entry), true)];
      expect(files.filter((f) => f.startsWith('sandbox/')), entry).toEqual([]);
    }
  });

  it('the CLI reaches it only through the sandbox command\'s import()', () => {
    for (const entry of ['cli/main.ts', 'cli/bin.ts']) {
      const files = [...reachable(join(src, entry))];
      expect(files.length).toBeGreaterThan(3);
      expect(files.filter((f) => f.startsWith('sandbox/')), entry).toEqual([]);
    }
    // ...while the scan does see it through main.ts's lazy command list.
    expect([...reachable(join(src, 'cli', 'main.ts'), true)]).toContain('sandbox/sandbox.ts');
  });

  it('the sandbox command does reach it (the scan sees imports)', () => {
    expect([...reachable(join(src, 'cli', 'commands', 'sandbox.ts'))]).toContain('sandbox/filex-server.ts');
  });
});
