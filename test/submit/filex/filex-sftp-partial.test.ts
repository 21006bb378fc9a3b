// Issue 9.5, SFTP half: an interrupted upload never leaves a partial file under its final
// name. The upload is frozen without timing by stopping sshd's session processes (SIGSTOP)
// once the temporary file has bytes, then the CLI is interrupted or killed. The interrupted
// uploads go through a throttling TCP proxy so that, however loaded the machine, the poll
// sees the file long before the upload could finish.
import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeFile, runCli, sftpEnv, sha256, startStack, startThrottle, type RunResult, type Stack } from './filex-helpers.js';
import { startSshd, type SshdHarness } from '../../servers/sshd.js';

const MiB = 1024 * 1024;
const exists = (p: string) => stat(p).then(() => true, () => false);

describe('filex upload --via sftp: nothing partial under the final name', () => {
  let sshd: SshdHarness;
  let st: Stack;
  let inDir: string;
  let slow: Awaited<ReturnType<typeof startThrottle>>;
  let slowEnv: Record<string, string>;
  beforeAll(async () => {
    [sshd, st] = await Promise.all([startSshd(), startStack()]);
    inDir = join(sshd.dataDir, '0001', 'app1', 'in');
    slow = await startThrottle(`http://127.0.0.1:${sshd.port}`, 16 * MiB);
    const port = new URL(slow.endpoint).port;
    const kh = join(st.dir, 'throttle_known_hosts');
    await writeFile(kh, `[127.0.0.1]:${port} ${sshd.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    slowEnv = { ...sftpEnv(sshd), FILEX_SFTP_PORT: port, FILEX_SFTP_KNOWN_HOSTS: kh };
  });
  afterAll(async () => {
    await slow?.close();
    await sshd?.close();
    await st?.close();
  });

  // A large sparse file: the upload lasts long enough to be caught with bytes on the server.
  const bigFile = async (name: string) => {
    const path = join(st.dir, name);
    await writeFile(path, '');
    await truncate(path, 512 * MiB);
    return path;
  };

  /**
   * Starts the upload; once a file matching `seen` has bytes in the `in` directory, freezes
   * sshd's sessions, sends `signal` to the CLI, waits for it to exit and lets sshd go on.
   */
  const interrupt = async (
    file: string,
    signal: NodeJS.Signals,
    seen: (name: string) => boolean,
    env: Record<string, string>,
    pauseListener = false,
  ): Promise<RunResult & { during: string[] }> => {
    let during: string[] = [];
    let poll: NodeJS.Timeout | undefined;
    let paused: number[] = [];
    let pollError: unknown;
    let tick: Promise<void> = Promise.resolve();
    const r = await runCli(['filex', 'upload', file, '0001/app1/in', '--via', 'sftp'], env, {
      onSpawn: (child: ChildProcess) => {
        let busy = false;
        poll = setInterval(() => {
          if (busy) return;
          busy = true;
          tick = (async () => {
            try {
              const names = await readdir(inDir);
              const hit = names.find(seen);
              if (hit && (await stat(join(inDir, hit)).catch(() => undefined))?.size) {
                clearInterval(poll);
                paused = await sshd.pauseSessions({ listener: pauseListener });
                during = await readdir(inDir);
                child.kill(signal);
              }
            } catch (err) {
              // Never an unhandled rejection from a timer: stop the run and fail the test below.
              pollError ??= err;
              clearInterval(poll);
              child.kill('SIGKILL');
            } finally {
              busy = false;
            }
          })();
        }, 10);
        child.on('close', () => clearInterval(poll));
      },
    });
    // A poll may still be pausing sshd as the child exits: let it finish, then resume what
    // it paused (resuming in 'close' could run before the pause and leave sshd frozen).
    clearInterval(poll);
    await tick;
    sshd.resumeSessions(paused);
    if (pollError) throw pollError;
    return { ...r, during };
  };

  test('a normal upload leaves only the final name, and replaces an existing file of that name', async () => {
    await writeFile(join(inDir, 'replace.bin'), 'old content');
    const f = await makeFile(st.dir, 'replace.bin', 2 * MiB + 1);
    const r = await runCli(['filex', 'upload', f.path, '0001/app1/in', '--via', 'sftp'], sftpEnv(sshd));
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(await readFile(join(inDir, 'replace.bin')))).toBe(sha256(f.data));
    expect((await readdir(inDir)).filter((n) => n.includes('replace.bin'))).toEqual(['replace.bin']);
  });

  test('Ctrl-C mid-upload: the bytes were going to a temporary name; it is removed and the CLI says so (exit 130)', async () => {
    const file = await bigFile('ctrl-c.bin');
    const r = await interrupt(file, 'SIGINT', (n) => n.startsWith('.ctrl-c.bin.~') && n.endsWith('.partial'), slowEnv);
    expect(r.during.some((n) => /^\.ctrl-c\.bin\.~[0-9a-f]{8}\.partial$/.test(n))).toBe(true);
    expect(r.during).not.toContain('ctrl-c.bin');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted; the partial upload 0001\/app1\/in\/\.ctrl-c\.bin\.~[0-9a-f]{8}\.partial was removed from the server/);
    await sshd.waitForNoConnections(30_000);
    expect((await readdir(inDir)).filter((n) => n.includes('ctrl-c.bin'))).toEqual([]);
  });

  test('kill -9 mid-upload: the final name never appears; the temporary file is what remains', async () => {
    const file = await bigFile('killed.bin');
    const r = await interrupt(file, 'SIGKILL', (n) => n.startsWith('.killed.bin.~'), slowEnv);
    expect(r.signal).toBe('SIGKILL');
    await sshd.waitForNoConnections(30_000);
    const left = (await readdir(inDir)).filter((n) => n.includes('killed.bin'));
    expect(left).not.toContain('killed.bin');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.killed\.bin\.~[0-9a-f]{8}\.partial$/);
  });

  test('FILEX_SFTP_PARTIAL=remove writes the final name directly and removes it on Ctrl-C', async () => {
    const file = await bigFile('direct.bin');
    const r = await interrupt(file, 'SIGINT', (n) => n === 'direct.bin', { ...slowEnv, FILEX_SFTP_PARTIAL: 'remove' });
    expect(r.during).toContain('direct.bin');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted; the partial upload 0001/app1/in/direct.bin was removed from the server');
    await sshd.waitForNoConnections(30_000);
    expect(await exists(join(inDir, 'direct.bin'))).toBe(false);
  });

  test('when the partial file cannot be removed (server unresponsive), the CLI says where it was left', async () => {
    const file = await bigFile('stuck.bin');
    // The listener is frozen too: the clean-up session cannot even start.
    const r = await interrupt(file, 'SIGINT', (n) => n === 'stuck.bin', { ...slowEnv, FILEX_SFTP_PARTIAL: 'remove' }, true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted; could not remove the partial upload 0001\/app1\/in\/stuck\.bin from the server \(.*\); delete it by hand/);
    expect(r.stderr).not.toContain('nothing partial was left behind');
    await sshd.waitForNoConnections(30_000);
  }, 60_000);

  test('FILEX_SFTP_PARTIAL with another value is InvalidOption (exit 2)', async () => {
    const r = await runCli(['filex', 'upload', __filename, '0001/app1/in', '--via', 'sftp', '--name', 'x.ts'], { ...sftpEnv(sshd), FILEX_SFTP_PARTIAL: 'keep' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/InvalidOption: FILEX_SFTP_PARTIAL 'keep' must be 'rename'/);
  });
});
