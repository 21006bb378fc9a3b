import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { idleTimeoutMs, networkGeneration, proxySettings, trustedCa } from './network.js';
import { proxyAuthHeader, proxyFor } from './proxy.js';

/**
 * The undici dispatcher for requests to `url` under the network settings: through the
 * proxy (a CONNECT tunnel) unless NO_PROXY exempts the host, trusting the configured CAs,
 * and failing an attempt that waits `timeoutMs` for the reply headers or between two reply
 * chunks (undici's headersTimeout/bodyTimeout are idle-based). Kept apart from network.ts
 * so commands that do not use undici never load it. Cached, so retries reuse connections.
 */
export function undiciDispatcherFor(url: URL, timeoutMs = idleTimeoutMs()): Dispatcher {
  const proxy = proxyFor(url, proxySettings());
  const key = `${networkGeneration()}|${timeoutMs}|${proxy?.href ?? ''}`;
  let d = cache.get(key);
  if (!d) cache.set(key, (d = create(proxy, timeoutMs)));
  return d;
}

const cache = new Map<string, Dispatcher>();

/** A direct Agent or a ProxyAgent with the CAs and idle timeouts in force. */
function create(proxy: URL | undefined, timeoutMs: number): Dispatcher {
  const ca = trustedCa();
  const tls = ca ? { ca } : {};
  const timeouts = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs };
  if (!proxy) return new Agent({ ...timeouts, connect: { ...tls, timeout: timeoutMs } });
  const bare = new URL(proxy.href);
  bare.username = '';
  bare.password = '';
  const token = proxyAuthHeader(proxy)['proxy-authorization'];
  return new ProxyAgent({ uri: bare.href, ...(token ? { token } : {}), ...timeouts, requestTls: tls, proxyTls: tls });
}
