import http from 'node:http';
import type { Socket } from 'node:net';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { registerSecret, redact } from '../../redact.js';

/** The proxy variables, read from the environment the caller hands in (either case, lower-case first as curl does). */
export interface ProxyEnv {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
}

/** Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower-case forms win, as in curl and undici). */
export function proxyEnvFrom(env: Record<string, string | undefined>): ProxyEnv {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name] || undefined;
  return { httpsProxy: pick('HTTPS_PROXY'), httpProxy: pick('HTTP_PROXY'), noProxy: pick('NO_PROXY') };
}

/**
 * Parses a proxy URL (`http://[user:password@]host:port`), registers its credentials as
 * secrets so no message shows them, and refuses anything that is not an http(s) URL.
 */
export function parseProxyUrl(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new BatchprepError(ErrorCode.InvalidOption, `${what}: '${redact(raw)}' is not a proxy URL (expected http://host:port)`);
  }
  if (url.password) {
    registerSecret(url.password);
    registerSecret(decodeURIComponent(url.password));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BatchprepError(ErrorCode.InvalidOption, `${what}: ${url.protocol} proxies are not supported (use an http:// or https:// proxy)`);
  }
  return url;
}

/**
 * Whether NO_PROXY exempts a host: entries split on commas or spaces, `*` exempts all, an
 * entry matches the host itself and its subdomains (a leading `.` or `*.` is ignored), and
 * `host:port` matches that port only. The same reading as curl and undici's EnvHttpProxyAgent.
 */
export function bypassesProxy(hostname: string, port: number, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[(.*)\]/, '$1'))!;
    const name = m[1]!.replace(/^\*?\./, '');
    if (m[2] && Number(m[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy URL a request to `target` must use, or undefined to go direct. */
export function proxyFor(target: URL, env: ProxyEnv): URL | undefined {
  const raw = target.protocol === 'https:' ? env.httpsProxy : env.httpProxy;
  if (!raw) return undefined;
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  if (bypassesProxy(target.hostname, port, env.noProxy)) return undefined;
  return parseProxyUrl(raw, target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
}

/** `Proxy-Authorization` for a proxy URL with credentials. */
export function proxyAuthHeader(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(pair).toString('base64')}` };
}

/**
 * Opens a TCP tunnel to `host:port` through an HTTP proxy with `CONNECT` (for SFTP, which is
 * not HTTP). Resolves with the raw socket once the proxy answers 200; a refusal or a proxy
 * that does not answer within `timeoutMs` fails as a coded, retryable transport error.
 */
export function connectTunnel(proxy: URL, host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const where = `${redact(proxy.host)} (CONNECT ${host}:${port})`;
  return new Promise((resolve, reject) => {
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const req = http.request({
      host: proxy.hostname,
      port: Number(proxy.port) || 80,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyAuthHeader(proxy) },
      signal,
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new BatchprepError(ErrorCode.Timeout, `proxy ${where}: no answer for ${timeoutMs / 1000} s (idle timeout; raise --timeout)`, { retryable: true })),
    );
    req.once('connect', (res, socket) => {
      req.setTimeout(0);
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      const code = res.statusCode === 407 ? ErrorCode.Unauthorized : ErrorCode.NetworkError;
      const hint = res.statusCode === 407 ? '; check the user and password in the proxy URL' : '';
      reject(new BatchprepError(code, `proxy ${where} answered ${res.statusCode}${hint}`, { status: res.statusCode, retryable: code === ErrorCode.NetworkError }));
    });
    req.once('error', (err) =>
      reject(err instanceof BatchprepError ? err : new BatchprepError(ErrorCode.NetworkError, `proxy ${where}: ${err.message}`, { cause: err, retryable: true })),
    );
    req.end();
  });
}
