import { BatchprepError, ErrorCode } from '../../errors.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for hosts that never leave the machine: plain http is allowed only to these. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Parses a base URL and refuses plain http to anything but loopback (SPEC section 8),
 * so credentials never cross a network in clear text.
 */
export function checkEndpoint(raw: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BatchprepError(ErrorCode.InvalidOption, `${what}: '${raw}' is not a URL (expected https://host[/path])`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new BatchprepError(
    ErrorCode.InsecureEndpoint,
    `${what}: ${url.protocol}//${url.host} is not allowed; use https:// (plain http is accepted only for loopback hosts)`,
  );
}

/** Joins a base URL and path segments, URL-encoding each segment. */
export function joinUrl(base: URL, ...segments: string[]): URL {
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  const url = new URL(base.href);
  url.pathname = `${prefix}/${path}`;
  return url;
}
