// A test CA made during the run with Debian's `openssl`, a server certificate it signs for
// 127.0.0.1/localhost, and a TLS front that terminates HTTPS and hands the plain bytes to one
// of the project's http test servers. So the FinPro, fileX and S3 test servers (owned by
// others, written on node:http) listen on HTTPS without being rewritten, and the clients run
// their production path: https only, certificates verified against a CA nobody else trusts.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { startRelay } from './relay.js';

const run = promisify(execFile);

export interface TestCa {
  dir: string;
  /** PEM file of the CA certificate (what NODE_EXTRA_CA_CERTS or --ca-file name). */
  caFile: string;
  /** PEM file of a second, unrelated CA (trusting it must not help). */
  otherCaFile: string;
  key: Buffer;
  cert: Buffer;
  close(): Promise<void>;
}

/** Makes a CA and a server certificate (SAN IP:127.0.0.1, DNS:localhost) in a temp dir. */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'test-ca-'));
  const p = (n: string) => join(dir, n);
  const ossl = (...args: string[]) => run('openssl', args, { cwd: dir });
  for (const ca of ['ca', 'other-ca']) {
    await ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=batchprep test ${ca}`, '-keyout', p(`${ca}.key`), '-out', p(`${ca}.pem`),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  }
  await ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1',
    '-keyout', p('server.key'), '-out', p('server.csr'));
  await writeFile(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await ossl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2',
    '-extfile', p('server.ext'), '-out', p('server.pem'));
  return {
    dir,
    caFile: p('ca.pem'),
    otherCaFile: p('other-ca.pem'),
    key: await readFile(p('server.key')),
    cert: await readFile(p('server.pem')),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TlsFront {
  /** `https://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** TLS connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** Listens with TLS on a free loopback port and pipes each connection to the http server at `target`. */
export async function startTlsFront(ca: TestCa, target: string): Promise<TlsFront> {
  const server = tls.createServer({ key: ca.key, cert: ca.cert });
  server.on('tlsClientError', () => undefined);
  const relay = await startRelay(server, target);
  return {
    url: `https://127.0.0.1:${relay.port}`,
    port: relay.port,
    get connections() {
      return relay.connections;
    },
    close: () => relay.close(),
  };
}

/** Rewrites the origin of `url` (same path and query): http test server → its TLS front. */
export function viaFront(url: string, front: TlsFront): string {
  const u = new URL(url);
  return `${front.url}${u.pathname}${u.search}`;
}
