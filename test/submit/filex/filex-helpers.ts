// Shared set-up for the fileX end-to-end tests: the S3 gate + fileX/FIP servers, an env
// that points the CLI at them, and a runner for `node dist/cli/bin.js`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRelay } from '../../servers/relay.js';
import { startS3, type S3Harness } from '../../servers/s3-server.js';
import { startFilexServer, type FilexServerOptions, type FilexTestServer } from '../../servers/filex-server.js';
import type { SshdHarness } from '../../servers/sshd.js';

export const BIN = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'bin.js');

export interface Stack {
  s3: S3Harness;
  fx: FilexTestServer;
  env: Record<string, string>;
  dir: string;
  close(): Promise<void>;
}

/** Starts S3 + fileX on loopback and a scratch directory; `close` stops both and removes it. */
export async function startStack(options: Omit<FilexServerOptions, 'store'> = {}): Promise<Stack> {
  const s3 = await startS3();
  const fx = await startFilexServer({ store: s3, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'filex-test-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // A home of its own (never created): no ~/.config/batchprep/config or ~/.ssh/known_hosts
    // of the machine, or left by another run, can change what the CLI does.
    HOME: join(dir, 'home'),
    FILEX_USERNAME: fx.username,
    FILEX_PASSWORD: fx.password,
    FILEX_BASE_URL: fx.baseUrl,
    FIP_TOKEN_URL: fx.tokenUrl,
    FILEX_S3_ENDPOINT: s3.endpoint,
  };
  return {
    s3,
    fx,
    env,
    dir,
    async close() {
      await fx.close();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onSpawn` gets the child (to kill it mid-run). */
export function runCli(args: string[], env: Record<string, string>, opts: { cwd?: string; input?: Buffer; onSpawn?: (c: ChildProcess) => void; onStderr?: (text: string, c: ChildProcess) => void } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    opts.onSpawn?.(child);
    // A child that exits before reading its input is EPIPE here: its exit code tells the test.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input);
  });
}

/** The environment that points the CLI's SFTP transport at a test sshd (key auth; its host key trusted through FILEX_SFTP_KNOWN_HOSTS, HOME an empty dir). */
export function sftpEnv(sshd: SshdHarness): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: sshd.homeDir,
    FILEX_SFTP_KNOWN_HOSTS: sshd.knownHostsPath,
    FILEX_SFTP_HOST: sshd.host,
    FILEX_SFTP_PORT: String(sshd.port),
    FILEX_SFTP_USER: sshd.username,
    FILEX_SFTP_KEY_FILE: sshd.privateKeyPath,
  };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Writes `size` random bytes to `dir/name` and returns the content. */
export async function makeFile(dir: string, name: string, size: number): Promise<{ path: string; data: Buffer }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, data };
}

/** The S3 key fileX uses for `space/name` of the test org/app. */
export function keyOf(stack: Stack, space: string, name: string): string {
  return `${stack.fx.orgId}/${stack.fx.application}/${space}/${name}`;
}

/**
 * A TCP proxy that slows the client → server direction to `bytesPerSecond`, so an upload of
 * a few MiB lasts long enough for tokens to expire or for a test to interrupt it.
 */
export async function startThrottle(target: string, bytesPerSecond: number): Promise<{ endpoint: string; close(): Promise<void> }> {
  // Forward in 16 KiB slices, each after the time it "costs" at the given rate.
  const relay = await startRelay(createServer(), target, (client, upstream) => {
    client.on('data', (chunk: Buffer) => {
      client.pause();
      let off = 0;
      const step = () => {
        if (off >= chunk.length || upstream.destroyed) return client.resume();
        const slice = chunk.subarray(off, off + 16384);
        off += slice.length;
        upstream.write(slice);
        setTimeout(step, (slice.length / bytesPerSecond) * 1000);
      };
      step();
    });
  });
  return { endpoint: `http://127.0.0.1:${relay.port}`, close: () => relay.close() };
}
