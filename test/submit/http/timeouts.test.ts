// Every networked command is bounded in time: a server that accepts and never answers fails
// the command as Timeout (exit 3) after --timeout of silence, and --retry-max-time is a
// deadline that stops even an attempt whose own --timeout has not run out. A server that
// answers slowly but steadily (each gap far below --timeout, the whole reply far above it)
// is never cut. The only time bound asserted is a generous one that proves the deadline
// cut an attempt whose own timeout was 100 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRetry } from '../../../src/submit/http/retry.js';
import { isBatchprepError } from '../../../src/errors.js';
import { finproEnv, GOOD_CSV, runCli, tempFiles } from '../finpro/finpro-helpers.js';
import { startHungServer, startTrickleServer, type StallServer } from './stall-servers.js';
import { startStack } from '../filex/filex-helpers.js';

let hung: StallServer;
let files: Awaited<ReturnType<typeof tempFiles>>;

beforeAll(async () => {
  hung = await startHungServer();
  files = await tempFiles({ 'consents.csv': GOOD_CSV });
});

afterAll(async () => {
  await hung?.close();
  await files?.cleanup();
});

function filexEnv(base: string): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FILEX_USERNAME: 'filexuser1',
    FILEX_PASSWORD: 'filex-secret-pass',
    FILEX_BASE_URL: base,
    FIP_TOKEN_URL: `${base}/fip/rest/ews/oauth2/access_token`,
  };
}

describe('withRetry: the time budget is a deadline', () => {
  it('stops an attempt that never settles and ignores its signal: Timeout, not retried, signal fired', async () => {
    let seen: AbortSignal | undefined;
    let calls = 0;
    const err = await withRetry(
      ({ signal }) => {
        calls++;
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      { maxTimeMs: 200, retries: 5 },
    ).catch((e: unknown) => e);
    expect(isBatchprepError(err) && err.code).toBe('Timeout');
    expect(String((err as Error).message)).toMatch(/--retry-max-time/);
    expect(calls).toBe(1);
    expect(seen?.aborted).toBe(true);
  });

  it('a caller abort stays Aborted', async () => {
    const ac = new AbortController();
    const p = withRetry(({ signal }) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('x')))), { maxTimeMs: 60_000, signal: ac.signal });
    ac.abort();
    const err = await p.catch((e: unknown) => e);
    expect(isBatchprepError(err) && err.code).toBe('Aborted');
  });
});

describe('a server that accepts and never answers', () => {
  it('finpro submit --timeout 2 fails as Timeout (exit 3)', async () => {
    const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--timeout', '2', '--retries', '0'], finproEnv(hung.url));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Timeout/);
  });

  it('finpro submit: --retry-max-time 3 stops an attempt whose --timeout is 100 s', async () => {
    const started = Date.now();
    const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--timeout', '100', '--retry-max-time', '3'], finproEnv(hung.url));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Timeout: .*--retry-max-time/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('filex ls --timeout 2 fails as Timeout (exit 3), not NetworkError', async () => {
    const r = await runCli(['filex', 'ls', '0001', '--timeout', '2', '--retries', '0'], filexEnv(hung.url));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Timeout/);
    expect(r.stderr).not.toMatch(/NetworkError/);
  });

  it('filex ls, upload, download and track: --retry-max-time 3 stops an attempt whose timeout is 100 s', async () => {
    const runs = [
      ['filex', 'ls', '0001', '--timeout', '100'],
      ['filex', 'upload', files.path('consents.csv'), '0001/app1/in', '--request-timeout', '100'],
      ['filex', 'download', '0001/app1/out/x.csv', '-o', `${files.dir}/x.csv`, '--timeout', '100'],
      ['filex', 'track', '--request-timeout', '100'],
    ];
    for (const args of runs) {
      const started = Date.now();
      const r = await runCli([...args, '--retry-max-time', '3'], filexEnv(hung.url));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/Timeout: .*--retry-max-time/);
      expect(Date.now() - started).toBeLessThan(60_000);
    }
  });

  it('filex upload --via s3 --timeout 2: a hung S3 endpoint fails the AWS SDK request as Timeout (exit 3)', async () => {
    const st = await startStack();
    try {
      const r = await runCli(['filex', 'upload', files.path('consents.csv'), '0001/app1/in', '--via', 's3', '--request-timeout', '2'], { ...st.env, FILEX_S3_ENDPOINT: hung.url });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/Timeout/);
    } finally {
      await st.close();
    }
  });

  it('filex upload --via sftp --timeout 2: a server that never sends its SSH banner fails as Timeout (exit 3)', async () => {
    const u = new URL(hung.url);
    const r = await runCli(['filex', 'upload', files.path('consents.csv'), '0001/app1/in', '--via', 'sftp', '--request-timeout', '2'], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FILEX_SFTP_HOST: u.hostname,
      FILEX_SFTP_PORT: u.port,
      FILEX_SFTP_USER: 'someone',
      FILEX_SFTP_PASSWORD: 'sftp-pass-123456',
      FILEX_SFTP_HOST_FINGERPRINT: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/Timeout/);
  });

  it('--timeout must be a positive number (exit 2)', async () => {
    const r = await runCli(['filex', 'ls', '0001', '--timeout', '0'], filexEnv(hung.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout/);
  });
});

describe('a server that trickles its reply slowly but steadily', () => {
  it('finpro submit --timeout 2 succeeds while the reply takes about 4 s to arrive', async () => {
    const slow = await startTrickleServer(
      () => ({
        ver: '1.0',
        timestamp: new Date().toISOString(),
        txnid: 'txn-trickle-0001',
        status: 'success',
        message: 'File uploaded successfully',
        data: { reference_id: 'ref-trickle', batch_id: 'batch-trickle-0001', storage_type: 'database', status: 'FILE_UPLOADED' },
      }),
      { pieces: 40, gapMs: 100 },
    );
    try {
      const r = await runCli(['finpro', 'submit', files.path('consents.csv'), '--timeout', '2', '--retries', '0', '--json'], finproEnv(slow.url));
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).batchId).toBe('batch-trickle-0001');
    } finally {
      await slow.close();
    }
  });

  it('filex ls --timeout 2 succeeds while the token and the listing each take about 4 s to arrive', async () => {
    const slow = await startTrickleServer(
      (req) =>
        req.url?.startsWith('/fip/')
          ? { access_token: 'tok-trickle-123456', token_type: 'bearer', expires_in: 3600 }
          : { name: '0001', type: 'DIR', children: [{ name: 'app1', type: 'DIR', metadata: { writable: false } }] },
      { pieces: 40, gapMs: 100 },
    );
    try {
      const r = await runCli(['filex', 'ls', '0001', '--timeout', '2', '--retries', '0'], filexEnv(slow.url));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('app1');
    } finally {
      await slow.close();
    }
  });
});
