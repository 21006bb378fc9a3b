// How the proxy variables are read: which variable applies to which URL, NO_PROXY matching
// (curl's reading, as undici's EnvHttpProxyAgent has it), and that bad settings fail early
// and proxy passwords are registered as secrets.
import { afterEach, describe, expect, it } from 'vitest';
import { bypassesProxy, parseProxyUrl, proxyEnvFrom, proxyFor } from '../../../src/submit/http/proxy.js';
import { configureNetwork, idleTimeoutMs, nodeAgentFor } from '../../../src/submit/http/network.js';
import { clearSecrets, redact } from '../../../src/redact.js';

afterEach(() => {
  configureNetwork();
  clearSecrets();
});

describe('proxy variables', () => {
  it('lower-case wins over upper-case; absent means direct', () => {
    expect(proxyEnvFrom({ HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', NO_PROXY: 'a', no_proxy: 'b' })).toEqual({
      httpsProxy: 'http://lower:2',
      httpProxy: undefined,
      noProxy: 'b',
    });
    expect(proxyFor(new URL('https://api.example.com'), proxyEnvFrom({}))).toBeUndefined();
  });

  it('HTTPS_PROXY serves https URLs and HTTP_PROXY http URLs, not the other way round', () => {
    const env = proxyEnvFrom({ HTTPS_PROXY: 'http://secure-proxy:3128', HTTP_PROXY: 'http://plain-proxy:8080' });
    expect(proxyFor(new URL('https://filex.finra.org/files'), env)?.host).toBe('secure-proxy:3128');
    expect(proxyFor(new URL('http://127.0.0.1:9/x'), env)?.host).toBe('plain-proxy:8080');
  });

  it.each([
    ['filex.finra.org', 443, 'finra.org', true],
    ['filex.finra.org', 443, '.finra.org', true],
    ['filex.finra.org', 443, '*.finra.org', true],
    ['notfinra.org', 443, 'finra.org', false],
    ['filex.finra.org', 443, 'filex.finra.org:8443', false],
    ['filex.finra.org', 8443, 'filex.finra.org:8443', true],
    ['127.0.0.1', 80, 'localhost, 127.0.0.1', true],
    ['anything.example', 443, '*', true],
    ['api.example.com', 443, '', false],
    ['API.Example.COM', 443, 'api.example.com', true],
  ])('NO_PROXY: %s:%d with %j bypasses: %s', (host, port, noProxy, expected) => {
    expect(bypassesProxy(host, port, noProxy)).toBe(expected);
  });

  it('a proxy URL without a scheme is taken as http://; other schemes are refused', () => {
    expect(parseProxyUrl('proxy.corp:3128', 'HTTPS_PROXY').href).toBe('http://proxy.corp:3128/');
    expect(() => parseProxyUrl('socks5://proxy.corp:1080', 'HTTPS_PROXY')).toThrow(/not supported/);
  });

  it('the password of a proxy URL is registered as a secret', () => {
    configureNetwork({ env: { HTTPS_PROXY: 'http://corp:S3cret%21Pw@proxy.corp:3128' } });
    expect(redact('proxy said: S3cret!Pw and S3cret%21Pw')).not.toMatch(/S3cret/);
  });
});

describe('configureNetwork', () => {
  it('checks its settings before any I/O: a bad proxy URL, a missing CA file, a non-positive timeout', () => {
    expect(() => configureNetwork({ env: { HTTPS_PROXY: 'ftp://x' } })).toThrow(/not supported/);
    expect(() => configureNetwork({ caFile: '/nonexistent/corp-ca.pem' })).toThrow(/corp-ca\.pem/);
    expect(() => configureNetwork({ timeoutMs: 0 })).toThrow(/positive/);
  });

  it('picks a tunnelling agent unless NO_PROXY exempts the host, and keeps agents across identical configurations', () => {
    configureNetwork({ env: { HTTPS_PROXY: 'http://127.0.0.1:3128', NO_PROXY: 'bypass.example' }, timeoutMs: 1234 });
    expect(idleTimeoutMs()).toBe(1234);
    const proxied = nodeAgentFor(new URL('https://filex.example/files'));
    const direct = nodeAgentFor(new URL('https://bypass.example/files'));
    expect(proxied.constructor.name).toBe('TunnelAgent');
    expect(direct.constructor.name).toBe('Agent');
    configureNetwork({ env: { HTTPS_PROXY: 'http://127.0.0.1:3128', NO_PROXY: 'bypass.example' }, timeoutMs: 1234 });
    expect(nodeAgentFor(new URL('https://filex.example/other'))).toBe(proxied);
  });
});
