/**
 * The package as users get it (issue 11 item 8): `npm pack`, install the tarball into a
 * scratch project, import it as ESM and CJS, compile a TypeScript consumer with
 * `skipLibCheck: false`, and check that validation loads no network client.
 * Needs a build (`npm run build`); the tarball is packed from dist/ as it is. Dependencies come
 * from the npm cache when they are there, else from the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const NETWORK = ['@aws-sdk/client-s3', 'undici', 'archiver', 'ssh2', 'ssh2-sftp-client'];
const SUBPATHS = ['batchprep', 'batchprep/validate', 'batchprep/prepare', 'batchprep/pack', 'batchprep/finpro', 'batchprep/filex', 'batchprep/schemas'];

let dir: string;
let app: string;
let installed: string;
let tarball: string;

/** Runs node in the scratch project, without the AWS switch the CLI sets, and returns its output. */
async function node(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  delete env.NODE_OPTIONS;
  return run(process.execPath, args, { cwd: app, env, maxBuffer: 16 << 20 });
}

/** The packages a fresh node process resolves while importing `specs`. */
async function loaded(...specs: string[]): Promise<string[]> {
  const { stdout } = await node(['load-probe.mjs', ...specs]);
  return JSON.parse(stdout) as string[];
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error("dist/ is missing: run 'npm run build' first");
  dir = await mkdtemp(join(tmpdir(), 'bp-package-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 << 20 });
  tarball = join(dir, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
  app = join(dir, 'app');
  await run('mkdir', [app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app, maxBuffer: 64 << 20 });
  installed = join(app, 'node_modules/batchprep');
  // The probe runs from the scratch project, so `batchprep` resolves to the installed copy.
  for (const f of ['load-probe.mjs', 'load-probe-hooks.mjs']) await copyFile(join(ROOT, 'test/package', f), join(app, f));
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships LICENSE, README, dist and the sources its source maps point to', async () => {
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
    expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toMatchObject({ type: 'git' });
    const maps = (await readdir(join(installed, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(await readFile(join(installed, 'dist', m), 'utf8')) as { sources: string[] };
      for (const s of map.sources) if (!existsSync(resolve(dirname(join(installed, 'dist', m)), s))) missing.push(`${m} -> ${s}`);
    }
    expect(missing).toEqual([]);
  });

  it('declares every package the shipped code imports', async () => {
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const files = (await readdir(join(installed, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js'));
    const used = new Set<string>();
    for (const f of files) {
      const text = await readFile(join(installed, 'dist', f), 'utf8');
      for (const m of text.matchAll(/(?:from |import\(|require\()\s*'((?:@[^/']+\/)?[^./'][^/']*)/g)) if (!m[1]!.startsWith('node:')) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((u) => !(u in pkg.dependencies))).toEqual([]);
    // Internals of stream-json and stream-chain are used: exact versions, not ranges.
    expect(pkg.dependencies['stream-json']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies['stream-chain']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies['csv-parse']).toBeUndefined();
  });
});

describe('importing the installed package', () => {
  it('imports as ESM from the root and every subpath, and validates', async () => {
    const script = `
      const names = {};
      for (const s of ${JSON.stringify(SUBPATHS)}) names[s] = Object.keys(await import(s)).length;
      const { validateStream } = await import('batchprep/validate');
      const r = await validateStream((async function* () { yield Buffer.from('consentId\\n00000000-0000-4000-8000-000000000000\\n'); })(), { fileName: 'a.csv' });
      console.log(JSON.stringify({ names, valid: r.valid, rows: r.rows }));`;
    const { stdout } = await node(['--input-type=module', '-e', script]);
    const out = JSON.parse(stdout) as { names: Record<string, number>; valid: boolean; rows: number };
    for (const s of SUBPATHS) expect(out.names[s], s).toBeGreaterThan(0);
    expect(out).toMatchObject({ valid: true, rows: 1 });
  });

  it("require('batchprep') works from CommonJS", async () => {
    const script = `
      const b = require('batchprep');
      const v = require('batchprep/validate');
      if (b.validateStream !== v.validateStream) throw new Error('two copies');
      v.validateStream((async function* () { yield Buffer.from('consentId\\nnope\\n'); })(), { fileName: 'a.csv' }).then((r) => {
        console.log(JSON.stringify({ valid: r.valid, errors: r.errorCount, code: b.ErrorCode.ValidationFailed, pack: typeof b.pack }));
      });`;
    const { stdout } = await node(['--input-type=commonjs', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ valid: false, errors: 1, code: 'ValidationFailed', pack: 'function' });
  });

  it('validation alone loads none of the network clients; the root import loads none either', async () => {
    const validateOnly = await loaded('batchprep/validate');
    expect(validateOnly).toEqual(expect.arrayContaining(['batchprep', 'stream-json']));
    expect(validateOnly.filter((p) => NETWORK.includes(p) || p.startsWith('@aws-sdk/') || p === 'zod')).toEqual([]);
    const root = await loaded('batchprep');
    expect(root.filter((p) => NETWORK.includes(p) || p.startsWith('@aws-sdk/'))).toEqual([]);
    // The probe can see them: the finpro and pack entries do load undici and archiver.
    expect(await loaded('batchprep/finpro', 'batchprep/pack')).toEqual(expect.arrayContaining(['undici', 'archiver']));
  });

  it('a TypeScript consumer compiles with skipLibCheck: false', async () => {
    await writeFile(
      join(app, 'consumer.ts'),
      `import { validateFile, BatchprepError, type ValidationReport, type SftpOptions, pack, submitToFinPro } from 'batchprep';
import { validateStream, ErrorCode } from 'batchprep/validate';
import { prepareFile } from 'batchprep/prepare';
import { pack as packDirect } from 'batchprep/pack';
import { submitManifest } from 'batchprep/finpro';
import { uploadToFilex, type UploadToFilexOptions } from 'batchprep/filex';
import { jsonSchemas } from 'batchprep/schemas';
const sftp: SftpOptions = { host: 'h', username: 'u' };
const up: UploadToFilexOptions = { via: 'sftp', sftp };
export async function main(): Promise<number> {
  const f = await validateFile('a.csv'); const r: ValidationReport = { valid: f.valid, files: [f] };
  const code: string = ErrorCode.ValidationFailed;
  void [validateStream, prepareFile, packDirect, pack, submitToFinPro, submitManifest, uploadToFilex, jsonSchemas, up, code, BatchprepError];
  return r.files.length;
}
`,
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    const res = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: app, maxBuffer: 16 << 20 }).catch((e: { stdout: string }) => e);
    expect(res.stdout).toBe('');
  });
});
