/**
 * Secrets never reach output: every secret the process learns (client secret, passwords,
 * bearer tokens, STS keys) is registered here, and every message that leaves the library
 * through the CLI passes through `redact`. Pre-signed URL signatures are cut by shape.
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

const SIGNED_QUERY = /([?&](?:X-Amz-[A-Za-z-]+|Signature|AWSAccessKeyId|x-amz-security-token|Expires|token|access_token|sig)=)[^&\s"']*/gi;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;
const BASIC = /(Basic\s+)[A-Za-z0-9+/=]+/g;

/** Masks registered secrets, bearer/basic credentials and signed URL query values in a string. */
export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out.replace(SIGNED_QUERY, '$1***').replace(BEARER, '$1***').replace(BASIC, '$1***');
}

/** A URL fit for a message: origin and path, query values masked. */
export function redactUrl(url: string | URL): string {
  return redact(String(url));
}
