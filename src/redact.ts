/**
 * Secrets never reach output: every secret the process learns (client secret, passwords,
 * bearer tokens, STS keys) is registered here, and every byte the CLI writes as text passes
 * through `redact` (src/cli/output.ts). Pre-signed URL signatures and credentials inside URLs
 * (`https://user:pw@host`) are cut by shape.
 */

const secrets = new Set<string>();

/** Remembers a secret so that `redact` masks it wherever it appears. Short values are ignored (too likely to mask ordinary text). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  secrets.clear();
}

// Names of environment variables whose value is a secret as a whole.
const SECRET_NAME = /(SECRET|PASSWORD|PASSPHRASE|TOKEN|API_KEY|PRIVATE_KEY)$/i;

/**
 * Registers the secrets an environment holds before anything is read or printed: every
 * variable named like a secret (`FINPRO_CLIENT_SECRET`, `FILEX_PASSWORD`...) and the
 * password part of every URL with credentials (`FILEX_BASE_URL=https://u:pw@host`).
 */
export function registerSecretsFromEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name) && !/_(URL|FILE|PATH)$/i.test(name)) registerSecret(value);
    for (const m of value.matchAll(URL_USERINFO)) {
      if (m[3] !== undefined) registerSecret(safeDecode(m[3]));
      if (m[3] !== undefined) registerSecret(m[3]);
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const SIGNED_QUERY = /([?&](?:X-Amz-[A-Za-z-]+|Signature|AWSAccessKeyId|x-amz-security-token|Expires|token|access_token|sig)=)[^&\s"']*/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
const BASIC = /(Basic\s+)[A-Za-z0-9+/=]+/g;
// scheme://user[:password]@ — the userinfo of a URL (RFC 3986 3.2.1).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:"']*)(?::([^\s/?#@"']*))?@/gi;

/** Masks registered secrets, bearer/basic credentials, URL credentials and signed URL query values in a string. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out
    .replace(URL_USERINFO, (_m, scheme: string, user: string, pw: string | undefined) => (pw === undefined ? `${scheme}***@` : `${scheme}${user}:***@`))
    .replace(SIGNED_QUERY, '$1***')
    .replace(BEARER, '$1***')
    .replace(BASIC, '$1***');
}

/** A URL fit for a message: origin and path, query values masked. */
export function redactUrl(url: string | URL): string {
  return redact(String(url));
}
