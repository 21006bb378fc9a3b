// `batchprep sandbox` and the batchprep CLI as child processes (dist/cli/bin.js), for the tests
// that drive the sandbox as users do: a fresh work directory per test, every child killed after it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach } from 'vitest';

const run = promisify(execFile);
export const root = join(import.meta.dirname, '..', '..');
export const bin = join(root, 'dist', 'cli', 'bin.js');
// XDG_CONFIG_HOME points nowhere: a developer's own profile cannot change what is sent.
export const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_CONFIG_HOME: '/nonexistent/batchprep-test' };

export interface Started {
  child: ChildProcess;
  info: { baseUrl: string; dir: string; env: Record<string, string>; faults: unknown; s3?: { endpoint: string; bucket: string; region: string } };
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SandboxCli {
  /** This test's work directory (the children's cwd). */
  readonly work: string;
  /** Kills `child` after the test if it is still running. */
  track<T extends ChildProcess>(child: T): T;
  /** Starts the sandbox with --json (state in `work/state`) and resolves once it printed its one line (it listens then). */
  startCli(args: string[], env?: Record<string, string>): Promise<Started>;
  /** Runs the batchprep CLI to its end. */
  cli(args: string[], env: Record<string, string>): Promise<CliResult>;
}

/** Registers the per-test work directory and child clean-up; call at the top of a test file. */
export function useSandboxCli(prefix = 'sandbox-cli-'): SandboxCli {
  let work = '';
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });
  const track = <T extends ChildProcess>(child: T): T => {
    children.push(child);
    return child;
  };
  return {
    get work() {
      return work;
    },
    track,
    startCli(args, env = {}) {
      const child = track(spawn(process.execPath, [bin, 'sandbox', '--json', '--dir', join(work, 'state'), ...args], { cwd: work, env: { ...baseEnv, ...env } }));
      let out = '';
      let err = '';
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return new Promise((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve({ child, info: JSON.parse(out.slice(0, out.indexOf('\n'))), stdout: () => out, stderr: () => err, exited });
        });
        exited.then((code) => reject(new Error(`sandbox exited ${code}: ${err}`)));
      });
    },
    async cli(args, env) {
      try {
        const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: work, env: { ...baseEnv, ...env } });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
  };
}
