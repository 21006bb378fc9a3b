// Debian's OpenSSH sshd as a non-daemon on a free loopback port, for the fileX SFTP tests:
// its own host key, a client ed25519 key in authorized_keys, internal-sftp starting in a data
// directory laid out like fileX (org/app/{in,out,in_arcv}, OBO orgs beside the user's own),
// key exchange restricted to the guide's list (what OpenSSH 9.2 implements of it). The guide
// gives no ciphers or MACs, so those are OpenSSH's defaults unless a test sets them. Password
// login uses a real local account made for the run (useradd + chpasswd, removed on close).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

/** Key exchange the guide lists that OpenSSH 9.2 implements (its ML-KEM hybrids came in 9.9). */
export const FILEX_KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
];
/** Ciphers both sides support (TESTING.md); the server does not restrict itself to them. */
export const FILEX_CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
];

export interface SshdHarness {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  privateKey: Buffer;
  /** The SFTP start directory (internal-sftp -d), with `${orgId}/${app}/{in,out,in_arcv}`. */
  dataDir: string;
  /** The host key as an OpenSSH public key line, for host-key pinning tests. */
  hostPublicKey: string;
  /** `SHA256:<base64>` fingerprint of the host key, as `ssh-keygen -l` prints it. */
  hostKeySha256: string;
  /** The local account's password when started with `{ password: true }`. */
  password?: string;
  /** An empty directory to use as HOME in tests (no ~/.ssh of the machine's user). */
  homeDir: string;
  /** A known_hosts file with this server's key under `[127.0.0.1]:port`, as ssh-keyscan writes it. */
  knownHostsPath: string;
  /** sshd's pid (the listener). */
  pid: number;
  /** Stops (SIGSTOP) / continues (SIGCONT) every per-connection sshd process: freezes transfers without timing. */
  pauseSessions(options?: { listener?: boolean }): Promise<number[]>;
  resumeSessions(pids: number[]): void;
  /** Everything sshd wrote to stderr so far (for failing-test diagnostics). */
  logs(): string;
  /**
   * TCP connections sshd has seen open and not yet closed, from its VERBOSE log (fileX
   * answers "Too Many Connections" to leaked sessions: assert 0 after a client run).
   * The log lags the socket by a few ms: poll it (see `waitForNoConnections`).
   */
  openConnections(): number;
  /** Connections accepted so far. */
  totalConnections(): number;
  /** Resolves once `openConnections()` is 0, or rejects after `timeoutMs` (default 5000). */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SshdOptions {
  /** @default '0001' */
  orgId?: string;
  /** @default 'app1' */
  application?: string;
  /** Extra sshd_config lines, appended after the defaults. */
  extraConfig?: string;
  /**
   * Make `out` and `in_arcv` really read-only on the server, as fileX does: the SFTP login
   * becomes the unprivileged `nobody` (root ignores file modes), `in` is owned by it and the
   * other spaces by root with mode 0755. Needs sshd to be started as root.
   * @default false
   */
  readOnlySpaces?: boolean;
  /** OBO profile orgs the account may act for: each gets `${org}/${application}/{in,out,in_arcv}` too. */
  oboOrgs?: string[];
  /** sshd LogLevel (first value wins in sshd_config, so extraConfig cannot change it). @default 'VERBOSE' */
  logLevel?: 'VERBOSE' | 'DEBUG1' | 'DEBUG3';
  /** Create a local account with a random password and allow password login (root only). @default false */
  password?: boolean;
  /** Host key type. @default 'ed25519' */
  hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
  /** sshd Ciphers / MACs lines; unset = OpenSSH's defaults (the guide lists none). */
  ciphers?: string[];
  macs?: string[];
}

/** Whether Debian's OpenSSH server is installed. */
export function sshdAvailable(): boolean {
  return existsSync(SSHD);
}

// A port that was free a moment ago (sshd refuses -p 0).
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// Spawn sshd and resolve once it says it listens; reject with its log if it exits first.
function launch(configPath: string, log: { text: string }): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) {
        child.kill('SIGTERM');
        reject(new Error(`sshd did not start within 10 s:\n${log.text}`));
      }
    }, 10_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log.text += chunk;
      if (!ready && log.text.includes('Server listening on')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`sshd exited with ${code} before listening:\n${log.text}`));
    });
  });
}

/** Start sshd on 127.0.0.1 and a free port; stop it with `close()`. */
export async function startSshd(options: SshdOptions = {}): Promise<SshdHarness> {
  if (!sshdAvailable()) {
    throw new Error(`OpenSSH server not found at ${SSHD}: run \`apt-get install -y openssh-server\` (the SFTP tests need a real sshd)`);
  }
  const orgId = options.orgId ?? '0001';
  const application = options.application ?? 'app1';
  const dir = await mkdtemp(join(tmpdir(), 'sshd-'));
  let cleanupUser: string | undefined;
  try {
    const dataDir = join(dir, 'data');
    for (const org of [orgId, ...(options.oboOrgs ?? [])]) {
      for (const space of ['in', 'out', 'in_arcv']) await mkdir(join(dataDir, org, application, space), { recursive: true });
    }
    const hostKeyType = options.hostKeyType ?? 'ed25519';
    const hostKey = join(dir, `host_${hostKeyType}`);
    const clientKey = join(dir, 'client_ed25519');
    await Promise.all([
      run('ssh-keygen', ['-q', '-t', hostKeyType, '-N', '', '-C', 'filex-test-host', '-f', hostKey]),
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'filex-test-client', '-f', clientKey]),
    ]);
    await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKey}.pub`), { mode: 0o600 });
    const hostPublicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim();
    const blob = Buffer.from(hostPublicKey.split(/\s+/)[1]!, 'base64');
    const hostKeySha256 = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
    const root = userInfo().uid === 0;
    if (root) await mkdir('/run/sshd', { recursive: true });
    let username = userInfo().username;
    if (options.readOnlySpaces) {
      if (!root) throw new Error('startSshd({ readOnlySpaces: true }) needs to run as root (it logs SFTP users in as nobody)');
      const { stdout } = await run('getent', ['passwd', 'nobody']);
      const [, , uid, gid] = stdout.trim().split(':');
      username = 'nobody';
      // nobody must traverse to the data dir and read authorized_keys (sshd reads it as the user).
      await chmod(dir, 0o755);
      await chmod(join(dir, 'authorized_keys'), 0o644);
      await chown(join(dataDir, orgId, application, 'in'), Number(uid), Number(gid));
    }
    let password: string | undefined;
    if (options.password) {
      if (!root) throw new Error('startSshd({ password: true }) needs to run as root (it creates a local account)');
      username = `bpsftp${randomBytes(3).toString('hex')}`;
      password = randomBytes(12).toString('base64url');
      await addUser(username, password);
      cleanupUser = username;
      const { stdout } = await run('id', ['-u', username]);
      const uid = Number(stdout.trim());
      // sshd reads authorized_keys as the user: key login must keep working for this account.
      await chmod(dir, 0o755);
      await chmod(join(dir, 'authorized_keys'), 0o644);
      for (const org of [orgId, ...(options.oboOrgs ?? [])]) await chown(join(dataDir, org, application, 'in'), uid, uid);
    }
    const homeDir = join(dir, 'home');
    await mkdir(homeDir, { recursive: true });

    const log = { text: '' };
    let child: ChildProcess | undefined;
    let port = 0;
    // A free port can be taken between probing and binding: try a few.
    for (let attempt = 0; attempt < 3 && !child; attempt++) {
      port = await freePort();
      const config = [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey}`,
        'PidFile none',
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        `PasswordAuthentication ${options.password ? 'yes' : 'no'}`,
        'KbdInteractiveAuthentication no',
        `UsePAM ${root ? 'no' : 'yes'}`,
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'PrintMotd no',
        `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
        `KexAlgorithms ${FILEX_KEX.join(',')}`,
        options.ciphers ? `Ciphers ${options.ciphers.join(',')}` : '',
        options.macs ? `MACs ${options.macs.join(',')}` : '',
        `Subsystem sftp internal-sftp -d ${dataDir}`,
        options.extraConfig ?? '',
        '',
      ].join('\n');
      const configPath = join(dir, 'sshd_config');
      await writeFile(configPath, config);
      try {
        child = await launch(configPath, log);
      } catch (err) {
        if (!/Bind to port|Address already in use/.test(log.text) || attempt === 2) throw err;
      }
    }
    const proc = child!;
    const connectionPorts = () => {
      const opened = new Set([...log.text.matchAll(/^Connection from \S+ port (\d+) on /gm)].map((m) => m[1]!));
      const closed = new Set(
        [...log.text.matchAll(/^(?:Disconnected from|Connection closed by|Connection reset by|Closing connection to|Received disconnect from|Timeout before authentication for|Unable to negotiate with|banner exchange: Connection from|ssh_dispatch_run_fatal: Connection from)\b.*?port (\d+)/gm)].map((m) => m[1]!),
      );
      return { opened, open: [...opened].filter((p) => !closed.has(p)) };
    };
    const privateKeyPath = clientKey;
    const knownHostsPath = join(dir, 'known_hosts');
    await writeFile(knownHostsPath, `[127.0.0.1]:${port} ${hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}\n`);
    return {
      password,
      homeDir,
      knownHostsPath,
      pid: proc.pid!,
      async pauseSessions(pauseOptions: { listener?: boolean } = {}) {
        const pids = [...(pauseOptions.listener ? [proc.pid!] : []), ...(await descendants(proc.pid!))];
        const stopped: number[] = [];
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGSTOP');
            stopped.push(pid);
          } catch {
            // It exited since /proc was read: nothing to pause.
          }
        }
        return stopped;
      },
      resumeSessions(pids: number[]) {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // It may have exited meanwhile.
          }
        }
      },
      host: '127.0.0.1',
      port,
      username,
      privateKeyPath,
      privateKey: await readFile(privateKeyPath),
      dataDir,
      hostPublicKey,
      hostKeySha256,
      logs: () => log.text,
      openConnections: () => connectionPorts().open.length,
      totalConnections: () => connectionPorts().opened.size,
      async waitForNoConnections(timeoutMs = 5000) {
        const until = Date.now() + timeoutMs;
        while (connectionPorts().open.length > 0) {
          if (Date.now() > until) throw new Error(`sshd still has ${connectionPorts().open.length} open connection(s) after ${timeoutMs} ms:\n${log.text}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      async close() {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
          proc.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
        if (cleanupUser) await run('userdel', [cleanupUser]).catch(() => undefined);
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (cleanupUser) await run('userdel', [cleanupUser]).catch(() => undefined);
    throw err;
  }
}

// useradd/chpasswd take a lock on /etc/passwd: parallel test files may collide, so retry.
async function addUser(name: string, password: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', name]);
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + attempt * 50));
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        const c = execFile('chpasswd', (e) => (e ? reject(e) : resolve()));
        c.stdin!.end(`${name}:${password}\n`);
      });
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + attempt * 50));
    }
  }
}

// Every process below `pid`, from /proc (the sshd per-connection children and their privsep children).
async function descendants(pid: number): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const m = /\) \S+ (\d+)/.exec(stat);
    if (m) parent.set(Number(name), Number(m[1]));
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) if (pp === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}
