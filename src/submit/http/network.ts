import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { ClientRequest } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { BatchprepError, ErrorCode, fromFsError } from '../../errors.js';
import { parseProxyUrl, proxyAuthHeader, proxyEnvFrom, proxyFor, type ProxyEnv } from './proxy.js';
import { checkPositive } from './retry.js';

/** How every transport reaches the network: proxies, extra trusted CAs, the idle timeout. */
export interface NetworkOptions {
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (either case) and `NODE_EXTRA_CA_CERTS` are
   * read; the CLI hands in its environment. @default {} (no proxy; Node itself still honours
   * NODE_EXTRA_CA_CERTS of the process)
   */
  env?: Record<string, string | undefined>;
  /** A PEM file of CA certificates trusted in addition to the system's (a corporate CA). Verification is never switched off. */
  caFile?: string;
  /**
   * Idle time of one attempt in ms: it fails as `Timeout` when no byte moves either way this
   * long (a long transfer that keeps moving is never cut). @default 30000
   */
  timeoutMs?: number;
  /** `FILEX_SFTP_PROXY`: an HTTP proxy that SFTP tunnels through with CONNECT. @default none (direct) */
  sftpProxy?: string;
}

/** The default idle timeout of one attempt. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

interface Settings {
  proxy: ProxyEnv;
  /** Explicit CA list (system + NODE_EXTRA_CA_CERTS + --ca-file) when a CA file was given, else undefined (Node's default store). */
  ca?: string[];
  timeoutMs: number;
  sftpProxy?: URL;
  /** Cached node agents, by proxy origin ('' = direct). */
  agents: Map<string, http.Agent>;
  generation: number;
  /** What it was built from, so configuring the same again keeps the agents (and their connections). */
  source: string;
}

let current: Settings = { proxy: {}, timeoutMs: DEFAULT_IDLE_TIMEOUT_MS, agents: new Map(), generation: 0, source: '' };

/** Reads a PEM file of certificates; a missing or certificate-less file is a usage error (exit 2). */
function readPem(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fromFsError(err, path, 'read');
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
    throw new BatchprepError(ErrorCode.InvalidOption, `${what} ${path}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`);
  }
  return text;
}

/**
 * Sets how every transport of this process reaches the network (process-wide, like Node's
 * own global agent, so each client needs no extra plumbing). Checked at once: a bad proxy
 * URL or an unreadable CA file fails here, before any I/O. Proxy passwords become secrets.
 */
export function configureNetwork(options: NetworkOptions = {}): void {
  const env = options.env ?? {};
  const proxy = proxyEnvFrom(env);
  const source = JSON.stringify([proxy, env.NODE_EXTRA_CA_CERTS, options.caFile, options.timeoutMs, options.sftpProxy]);
  if (source === current.source) return;
  if (proxy.httpsProxy) parseProxyUrl(proxy.httpsProxy, 'HTTPS_PROXY');
  if (proxy.httpProxy) parseProxyUrl(proxy.httpProxy, 'HTTP_PROXY');
  checkPositive(options.timeoutMs, 'timeout');
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let ca: string[] | undefined;
  if (options.caFile) {
    // An explicit `ca` replaces Node's store, so the system roots and NODE_EXTRA_CA_CERTS go in too.
    ca = [...rootCertificates];
    if (env.NODE_EXTRA_CA_CERTS) ca.push(readPem(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS'));
    ca.push(readPem(options.caFile, '--ca-file'));
  }
  const sftpProxy = options.sftpProxy ? parseProxyUrl(options.sftpProxy, 'FILEX_SFTP_PROXY') : undefined;
  for (const a of current.agents.values()) a.destroy();
  current = { proxy, ca, timeoutMs, sftpProxy, agents: new Map(), generation: current.generation + 1, source };
}

/** Bumped by every `configureNetwork`, so caches of clients built on older settings are not reused. */
export function networkGeneration(): number {
  return current.generation;
}

/** The idle timeout of one attempt, in ms. */
export function idleTimeoutMs(): number {
  return current.timeoutMs;
}

/**
 * The error a socket is destroyed with when no byte moved for `ms` (node:http requests and the
 * SFTP socket alike): `ETIMEDOUT`, and a message the transports map to `Timeout`.
 */
export function idleTimeoutError(ms: number): Error & { code: string } {
  return Object.assign(new Error(`idle timeout: no data for ${ms / 1000} s (raise --timeout)`), { code: 'ETIMEDOUT' });
}

/** The extra trusted CAs as a `ca` list, or undefined for Node's default store (which includes NODE_EXTRA_CA_CERTS). */
export function trustedCa(): string[] | undefined {
  return current.ca;
}

/** The proxy variables in force. */
export function proxySettings(): ProxyEnv {
  return current.proxy;
}

/** The HTTP proxy SFTP tunnels through, if any. */
export function sftpProxy(): URL | undefined {
  return current.sftpProxy;
}

/**
 * The node:http(s) agent for a request to `url`: a CONNECT-tunnelling agent when a proxy
 * applies (NO_PROXY checked), else a keep-alive agent; both trust the configured CAs.
 * Agents are cached per proxy, so connections are reused across requests.
 */
export function nodeAgentFor(url: URL): http.Agent {
  const proxy = proxyFor(url, current.proxy);
  const secure = url.protocol === 'https:';
  const key = proxy ? `${proxy.href}` : secure ? 'https' : 'http';
  let agent = current.agents.get(key);
  if (!agent) {
    const tls = current.ca ? { ca: current.ca } : {};
    agent = proxy
      ? new TunnelAgent(proxy, current.ca)
      : secure
        ? new https.Agent({ keepAlive: true, ...tls })
        : new http.Agent({ keepAlive: true });
    current.agents.set(key, agent);
  }
  return agent;
}

/**
 * A CONNECT-tunnelling agent whose TLS to the target trusts the configured CAs: the
 * library's own options reach only the connection to the proxy, so the CA list is added to
 * each tunnelled connection's options here.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly ca: string[] | undefined,
  ) {
    super(proxy.href, { keepAlive: true, headers: proxyAuthHeader(proxy), ...(ca ? { ca } : {}) }); // ca: for an https:// proxy
  }

  override connect(req: ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(req, this.ca && opts.secureEndpoint ? { ...opts, ca: this.ca } : opts);
  }
}

/**
 * Options for the AWS SDK's node request handler (`requestHandler` of `S3Client`): the agent
 * for the S3 endpoint (proxy and CAs) and the idle timeout as its socket timeout (which the
 * handler only logs unless told to throw).
 */
export function s3HandlerOptions(endpoint: URL): {
  httpAgent: http.Agent;
  httpsAgent: http.Agent;
  requestTimeout: number;
  connectionTimeout: number;
  throwOnRequestTimeout: boolean;
} {
  const agent = nodeAgentFor(endpoint);
  const other = new URL(endpoint.href);
  other.protocol = endpoint.protocol === 'https:' ? 'http:' : 'https:';
  const httpAgent = endpoint.protocol === 'http:' ? agent : nodeAgentFor(other);
  const httpsAgent = endpoint.protocol === 'https:' ? agent : nodeAgentFor(other);
  return { httpAgent, httpsAgent, requestTimeout: current.timeoutMs, connectionTimeout: current.timeoutMs, throwOnRequestTimeout: true };
}
