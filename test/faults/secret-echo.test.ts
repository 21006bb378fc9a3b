// Issue 9 fault suite: a server that echoes every secret the client holds in every field of
// every reply and error (names, types, dates, statuses, tracking IDs, messages, error
// descriptions, the SSH banner), across finpro submit and every filex verb and transport, in
// text, --json, --debug and --debug --json. Each run's stdout+stderr is grepped for every
// secret. The server echoes only what this client already holds (its environment's secrets,
// then the bearer, STS keys and pre-signed signature once it handed them out): a value the
// client never saw cannot be recognised, and is not what the guarantee covers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterBody, BIN, filexEnv, finproEnv, record, runCli, secretsIn, startServer, SECRETS, ALL_SECRETS, type Run } from './fault-kit.js';
import { GOOD_CSV } from '../submit/finpro/finpro-helpers.js';

const ENV_SECRETS = [SECRETS.clientSecret, SECRETS.fipPassword, SECRETS.sftpPassword];
const FLAGS = [[], ['--json'], ['--debug'], ['--debug', '--json']];
const ERROR_STATUSES = [400, 401, 403, 404, 409, 500];
let dir: string;
const runs: Array<{ label: string; r: Run }> = [];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'npm run build' first`);
  dir = await mkdtemp(join(tmpdir(), 'bp-faults-echo-'));
  await writeFile(join(dir, 'good.csv'), GOOD_CSV);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every secret in the environment of every run (each command registers what it knows). */
function env(base: string): Record<string, string> {
  return { ...finproEnv(base, dir), ...filexEnv(base, dir), FILEX_S3_ENDPOINT: base, FILEX_SFTP_PASSWORD: SECRETS.sftpPassword, FILEX_SFTP_USER: 'fault-user' };
}

/**
 * A fileX + FIP + S3 + FinPro stand-in that answers `errorStatus` (when set) to every
 * non-token request, and otherwise well-formed replies; every string field holds every secret
 * the client holds so far.
 */
async function echoServer(errorStatus?: number) {
  const given: string[] = [];
  const echo = () => [...ENV_SECRETS, ...given].join(' ');
  const s = await startServer((req, res, base) =>
    afterBody(req, () => {
      const url = req.url ?? '/';
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-echo': echo().replace(/\s/g, '_') });
        res.end(JSON.stringify(body));
      };
      if (url.startsWith('/token')) {
        given.push(SECRETS.bearer);
        return json(200, { access_token: SECRETS.bearer, token_type: 'Bearer', expires_in: 300, scope: echo() });
      }
      const e = echo();
      if (errorStatus) return json(errorStatus, { message: e, error: e, errorMsg: e, error_description: e, errorCode: e, txnid: e, errorDetails: { e } });
      if (url.startsWith('/fi/') || req.method === 'POST') {
        return json(200, { ver: e, timestamp: e, txnid: e, status: 'success', message: e, data: { reference_id: e, batch_id: e, storage_type: e, status: e } });
      }
      if (url.startsWith('/S3TransferTokens')) {
        given.push(SECRETS.stsKeyId, SECRETS.stsSecret, SECRETS.stsSession);
        return json(200, { region: 'us-east-1', sessionName: echo(), readPaths: [echo()], writePaths: [echo()], credentials: { accessKeyId: SECRETS.stsKeyId, secretAccessKey: SECRETS.stsSecret, sessionToken: SECRETS.stsSession } });
      }
      if (url.startsWith('/tracking')) return json(200, [{ trackingId: e, fileName: e, status: e, userName: e, submissionTime: e }]);
      if (url.startsWith('/blob/')) {
        if (req.method === 'PUT') {
          res.writeHead(200, { etag: `"${e.replace(/\s/g, '_')}"` });
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'text/csv' });
        return res.end(e);
      }
      if (req.method === 'PUT' && url.startsWith('/files/')) {
        given.push(SECRETS.signature);
        return json(200, { url: `${base}/blob/u?X-Amz-Signature=${SECRETS.signature}`, trackingId: echo(), expirationTime: new Date(Date.now() + 600_000).toISOString() });
      }
      if (/^\/files\/[^/]+\/[^/]+\/[^/]+\/./.test(url)) {
        given.push(SECRETS.signature);
        return json(200, { url: `${base}/blob/d?X-Amz-Signature=${SECRETS.signature}`, expirationTime: new Date(Date.now() + 600_000).toISOString() });
      }
      if (url.startsWith('/files/')) {
        const children = [{ name: 'in', type: 'DIR', metadata: { writable: true, lastModified: e } }, ...[...ENV_SECRETS, ...given].map((x) => ({ name: `f-${x}`, type: e, metadata: { writable: true, lastModified: e, contentLength: e.length } }))];
        return json(200, { name: e, type: 'DIR', metadata: { lastModified: e }, children });
      }
      // S3 (path-style) requests: an S3 error document that echoes everything.
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>${echo()}</Message><RequestId>${echo()}</RequestId></Error>`);
    }),
  );
  return s;
}

/** An SSH "server" whose banner and first packet carry every secret, then closes. */
async function echoSshd(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.write(`SSH-2.0-echo_${ENV_SECRETS.join('_')}\r\n${ENV_SECRETS.join(' ')}\r\n`);
    setTimeout(() => sock.destroy(), 200);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const COMMANDS: Array<{ label: string; args: string[] }> = [
  { label: 'finpro submit', args: ['finpro', 'submit', 'good.csv', '--retries', '0'] },
  { label: 'filex ls', args: ['filex', 'ls', '0001/app1/out', '--retries', '0'] },
  { label: 'filex track', args: ['filex', 'track', '--retries', '0'] },
  { label: 'filex track ID', args: ['filex', 'track', 'trk-1', '--retries', '0'] },
  { label: 'filex download', args: ['filex', 'download', '0001/app1/out/f.csv', '-o', 'dl/', '--retries', '0', '--force'] },
  { label: 'filex download --all', args: ['filex', 'download', '0001/app1/out', '--all', '-o', 'all/', '--retries', '0'] },
  { label: 'filex upload (rest)', args: ['filex', 'upload', 'good.csv', '0001/app1/in', '--retries', '0'] },
  { label: 'filex upload --via s3', args: ['filex', 'upload', 'good.csv', '0001/app1/in', '--via', 's3', '--retries', '0'] },
];

describe('a server that echoes every secret in every field', () => {
  for (const errorStatus of [undefined, ...ERROR_STATUSES]) {
    it(`every command, text / --json / --debug: ${errorStatus ? `error ${errorStatus}` : 'success replies'}`, async () => {
      for (const c of COMMANDS) {
        const rs = await Promise.all(
          FLAGS.map(async (flags) => {
            const s = await echoServer(errorStatus);
            try {
              return { flags, r: await runCli([...c.args, ...flags], env(s.url), dir) };
            } finally {
              await s.close();
            }
          }),
        );
        for (const { flags, r } of rs) {
          const label = `${c.label} ${flags.join(' ')} (${errorStatus ?? 'ok'})`;
          runs.push({ label, r });
          expect(r.stderr, label).not.toMatch(/internal error/i);
        }
      }
    }, 120_000);
  }

  it('filex upload --via sftp: an SSH server whose banner echoes the secrets', async () => {
    const sshd = await echoSshd();
    try {
      for (const flags of FLAGS) {
        const r = await runCli(['filex', 'upload', 'good.csv', '0001/app1/in', '--via', 'sftp', '--retries', '0', ...flags], { ...env('http://127.0.0.1:9'), FILEX_SFTP_HOST: '127.0.0.1', FILEX_SFTP_PORT: String(sshd.port) }, dir);
        runs.push({ label: `filex upload --via sftp ${flags.join(' ')}`, r });
        expect(r.code).not.toBe(0);
      }
    } finally {
      await sshd.close();
    }
  });

  it('no secret reached stdout or stderr in any run', () => {
    expect(runs.length).toBe(COMMANDS.length * FLAGS.length * (ERROR_STATUSES.length + 1) + FLAGS.length);
    const leaks = runs.flatMap(({ label, r }) => secretsIn(r).map((s) => `${label}: ${s}`));
    const ok = runs.filter((x) => x.r.code === 0).length;
    const fake = { code: leaks.length ? 1 : 0, stdout: '', stderr: '', ms: 0, peakMb: 0 };
    record({ scenario: `echo every secret in every field (${runs.length} runs, ${ok} succeeded)`, command: 'finpro submit, filex ls/track/download/upload (rest, s3, sftp) x text/--json/--debug x ok/400/401/403/404/409/500', left: '-' }, { ...fake, code: null, stdout: leaks.join('\n') });
    expect(leaks).toEqual([]);
    expect(ALL_SECRETS.length).toBe(8);
    // The echo reached the client: the runs did print server words (masked).
    expect(runs.some(({ r }) => (r.stdout + r.stderr).includes('***'))).toBe(true);
  });
});
