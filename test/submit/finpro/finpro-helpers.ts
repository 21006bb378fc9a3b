// Shared by the finpro-*.test.ts files: run the built CLI against a FinPro test server, and
// make small consent files. (Not a test file itself.)
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../../servers/finpro-server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built CLI; BATCHPREP_BIN points at another build (e.g. a private one while others rebuild dist/). */
export const BIN = process.env.BATCHPREP_BIN ?? join(ROOT, 'dist', 'cli', 'bin.js');

export const IDS = [
  '54450ac0-8bcb-4b9c-ad74-29b4fabe18f7',
  '7b2d9e3a-1f4c-4a8b-9c6d-2e5f8a9b0c1d',
  '9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d',
];

/** The API document's own CSV example. */
export const GOOD_CSV =
  'consentId,fiDataRangeFrom,fiDataRangeTo,configId\n' +
  `${IDS[0]},2024-01-01T00:00:00Z,2024-06-30T23:59:59Z,config-1\n` +
  `${IDS[1]},,,config-2\n` +
  `${IDS[2]},2024-07-01T00:00:00Z,2024-12-31T23:59:59Z,\n`;

export const GOOD_JSON = JSON.stringify([
  { consent_id: IDS[0], fiDataRangeFrom: '2024-01-01T00:00:00Z', fiDataRangeTo: '2024-06-30T23:59:59Z', configId: 'config-1' },
  { consentId: IDS[1], configId: 'config-2' },
]);

/** The environment the CLI needs to reach `url` with the server's credentials. */
export function finproEnv(url: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    // No user config file can change what a test sends (profiles are tested with their own files).
    XDG_CONFIG_HOME: '/nonexistent/batchprep-test-config',
    FINPRO_BASE_URL: url,
    FINPRO_CLIENT_ID: TEST_CREDENTIALS.clientId,
    FINPRO_CLIENT_SECRET: TEST_CREDENTIALS.clientSecret,
    FINPRO_APP_ID: TEST_CREDENTIALS.appId,
    FINPRO_ORG_ID: TEST_CREDENTIALS.orgId,
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli/bin.js ...args` with exactly `env`, feeding `stdin` if given. */
export function runCli(args: string[], env: Record<string, string | undefined>, options: { stdin?: string | Buffer; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
    const child = spawn(process.execPath, [BIN, ...args], { env: clean, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    if (options.stdin !== undefined) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}

/** A temporary directory with the given files; `cleanup` removes it. */
export async function tempFiles(files: Record<string, string | Buffer>): Promise<{ dir: string; path: (name: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'finpro-test-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return { dir, path: (name) => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type TempFiles = Awaited<ReturnType<typeof tempFiles>>;

/**
 * A FinPro test server and temporary files for the enclosing describe (or file): started
 * before all its tests, stopped after them, reset before each. Tests read `fx.server` and
 * `fx.files`, which are set once the set-up has run.
 */
export function useFinProServer(files: Record<string, string | Buffer>): { server: FinProServer; files: TempFiles } {
  const fx = {} as { server: FinProServer; files: TempFiles };
  beforeAll(async () => {
    fx.server = await startFinProServer();
    fx.files = await tempFiles(files);
  });
  afterAll(async () => {
    await fx.server?.close();
    await fx.files?.cleanup();
  });
  beforeEach(() => fx.server.reset());
  return fx;
}
