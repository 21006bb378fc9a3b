/**
 * Which environment variables are settings a profile may hold, and which are secrets that
 * only the environment (or a `*_FILE` file) may hold. Other engineers add variables to the
 * FinPro and fileX clients over time, so both are decided by name rather than by a fixed list.
 */

/** The secrets batchprep reads; each may also be given as `<NAME>_FILE` (a file holding it). */
export const SECRET_SETTINGS = ['FINPRO_CLIENT_SECRET', 'FILEX_PASSWORD', 'FILEX_SFTP_PASSWORD', 'FILEX_SFTP_KEY_PASSPHRASE'] as const;

/** Prefixes of the variables a profile may set (`finpro_base_url` sets FINPRO_BASE_URL). */
const PROFILE_PREFIXES = ['FINPRO_', 'FILEX_', 'FIP_'];
/** Proxy variables (per profile: UAT and production may sit behind different proxies). */
const PROXY_SETTINGS = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'];

/**
 * A variable that holds a secret: the known ones and, for variables added later, any name
 * that ends in SECRET, PASSWORD, PASSPHRASE, TOKEN or a key (`..._SECRET_KEY`,
 * `..._ACCESS_KEY`). Header names (`FINPRO_HEADER_CLIENT_SECRET` names a header, it is not a
 * secret) and file paths (`*_FILE`) are not secrets.
 */
export function isSecretSetting(name: string): boolean {
  const upper = name.toUpperCase();
  if ((SECRET_SETTINGS as readonly string[]).includes(upper)) return true;
  if (upper.startsWith('FINPRO_HEADER_') || upper.endsWith('_FILE')) return false;
  return /(^|_)(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|SECRET_KEY|ACCESS_KEY|PRIVATE_KEY|API_KEY)$/.test(upper);
}

/**
 * The secret a `*_FILE` variable names a file for, or undefined when it is not one of
 * batchprep's (another program's GITHUB_TOKEN_FILE is none of our business).
 */
export function secretOfFileSetting(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (!upper.endsWith('_FILE') || !PROFILE_PREFIXES.some((p) => upper.startsWith(p))) return undefined;
  const base = upper.slice(0, -'_FILE'.length);
  return isSecretSetting(base) ? base : undefined;
}

/** A variable a profile may set: FINPRO_*, FILEX_*, FIP_* and the proxy variables. */
export function isProfileSetting(name: string): boolean {
  const upper = name.toUpperCase();
  return PROFILE_PREFIXES.some((p) => upper.startsWith(p) && upper.length > p.length) || PROXY_SETTINGS.includes(upper);
}
