import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli', 'bin.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('examples/ and the README commands', () => {
  it('the README set-up command validates the bundled example', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npx batchprep validate examples/consents.csv');
    expect(readme).toContain('npm test');
    const r = await cli(['validate', 'examples/consents.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/examples\/consents\.csv: valid — 3 rows, 0 errors, 0 warnings/);
  });

  it('every valid example passes and the mistakes example shows each mistake', async () => {
    const files = readdirSync(join(root, 'examples')).filter((f) => /\.(csv|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const r = await cli(['validate', join('examples', f), '--report', 'json']);
      const report = JSON.parse(r.stdout);
      if (f.includes('mistakes')) {
        expect(r.code).toBe(1);
        const codes = new Set(report.files[0].issues.map((i: { code: string }) => i.code));
        for (const c of ['InvalidConsentId', 'InvalidDate', 'InvalidDateRange', 'MissingConsentId', 'InvalidConfigId', 'DuplicateConsentId', 'FieldCountMismatch', 'UnknownField']) {
          expect(codes, `${f} shows ${c}`).toContain(c);
        }
      } else {
        expect(r.code, `${f}: ${r.stdout}`).toBe(0);
        expect(report.valid).toBe(true);
      }
    }
  });
});

describe('schemas/', () => {
  it('the committed JSON Schemas match the zod schemas (run `npm run schema` after changing them)', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const generated = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(generated)) {
      const committed = JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8'));
      expect(committed, `schemas/${name} is stale`).toEqual(schema);
    }
    expect(readdirSync(join(root, 'schemas')).sort()).toEqual(Object.keys(generated).sort());
  });

  it('package.json version and --version agree', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const r = await cli(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

/**
 * The commands of the README's `batchprep validate` example block, with the output the README
 * shows for each: `$ npx batchprep ARGS` lines, their stdout lines, and `$ echo $?` with the
 * exit code of the command before.
 */
function readmeValidateExamples(): Array<{ args: string[]; stdout: string[]; code?: number }> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## `batchprep validate`'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  const out: Array<{ args: string[]; stdout: string[]; code?: number }> = [];
  let expectCode = false;
  for (const line of block.split('\n')) {
    if (line.startsWith('$ npx batchprep ')) {
      out.push({ args: line.slice('$ npx batchprep '.length).split(/\s+/), stdout: [] });
      expectCode = false;
    } else if (line === '$ echo $?') expectCode = true;
    else if (expectCode && /^\d+$/.test(line)) out.at(-1)!.code = Number(line);
    else if (line !== '' && !expectCode) out.at(-1)!.stdout.push(line);
  }
  return out;
}

describe("the README's validate examples are true", () => {
  const examples = readmeValidateExamples();
  it('the README shows at least three validate runs, with exit codes', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(examples.filter((e) => e.code !== undefined).length).toBeGreaterThanOrEqual(2);
  });
  for (const ex of examples) {
    it(`batchprep ${ex.args.join(' ')} prints what the README shows`, async () => {
      const r = await cli(ex.args);
      expect(r.stdout.trimEnd().split('\n')).toEqual(ex.stdout);
      expect(r.code).toBe(ex.code ?? 0);
    });
  }
});
