// Debian's tinyproxy on a free loopback port with its own config and log, per test run
// (recipe: ../shared/TESTING.md). Its log lines `CONNECT 127.0.0.1:PORT` prove that a
// client's traffic went through it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TINYPROXY = '/usr/bin/tinyproxy';

export interface ProxyHarness {
  /** `http://127.0.0.1:PORT` (with `user:password@` when started with basic auth). */
  url: string;
  port: number;
  /** Every `CONNECT host:port` the proxy logged so far. */
  connects(): Promise<string[]>;
  close(): Promise<void>;
}

/** A free loopback port (taken and released: tinyproxy wants a number). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves once the port accepts a connection (tinyproxy prints nothing when ready in -d mode with a LogFile). */
async function untilListening(port: number, child: ChildProcess, log: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited (${child.exitCode}): ${existsSync(log) ? await readFile(log, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts tinyproxy; `auth` turns on BasicAuth with that user and password. */
export async function startProxy(options: { auth?: { user: string; password: string } } = {}): Promise<ProxyHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'proxy-test-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const conf = join(dir, 'tinyproxy.conf');
  await writeFile(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${log}"`,
      'LogLevel Connect',
      'MaxClients 50',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      ...(options.auth ? [`BasicAuth ${options.auth.user} ${options.auth.password}`] : []),
      '',
    ].join('\n'),
  );
  const child = spawn(TINYPROXY, ['-d', '-c', conf], { stdio: 'ignore' });
  try {
    await untilListening(port, child, log);
  } catch (err) {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const auth = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    async connects() {
      const text = existsSync(log) ? await readFile(log, 'utf8') : '';
      return [...text.matchAll(/CONNECT (\S+) HTTP/g)].map((m) => m[1]!);
    },
    async close() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
