import { BatchprepError, ErrorCode } from '../../errors.js';
import { registerSecret } from '../../redact.js';
import { DEFAULT_HEADER_NAMES } from './settings.js';
import type { FinProHeaderNames } from './settings.js';

/** The values of the four identity headers of the FinPro File Upload API (header names: settings.ts). */
export interface FinProCredentials {
  /** FINPRO_CLIENT_ID, sent in the client-ID header (default `client_id`). */
  clientId: string;
  /** FINPRO_CLIENT_SECRET (or FINPRO_CLIENT_SECRET_FILE), sent in the secret header (default `client_secret`); never printed. */
  clientSecret: string;
  /** FINPRO_APP_ID, sent in the application header (default `appIdentifier`). */
  appId: string;
  /** FINPRO_ORG_ID, sent in the organisation header (default `organisationId`). */
  orgId: string;
}

const VARIABLES = [
  ['clientId', 'FINPRO_CLIENT_ID', 'client ID'],
  ['clientSecret', 'FINPRO_CLIENT_SECRET', 'client secret'],
  ['appId', 'FINPRO_APP_ID', 'application identifier'],
  ['orgId', 'FINPRO_ORG_ID', 'organisation ID'],
] as const;

/**
 * Reads the credentials from an environment map (the caller passes it in; the library never
 * reads `process.env`), names the first missing variable, and registers the secret so that no
 * message can ever print it.
 */
export function finProCredentialsFromEnv(env: Record<string, string | undefined>): FinProCredentials {
  const out: Partial<FinProCredentials> = {};
  for (const [key, name, label] of VARIABLES) {
    const value = env[name]?.trim();
    if (!value) {
      throw new BatchprepError(
        ErrorCode.MissingCredential,
        `${name} is not set: export your FinPro ${label} in ${name}${key === 'clientSecret' ? ' or name a file holding it in FINPRO_CLIENT_SECRET_FILE' : ' or set it in a profile'} (secrets come from the environment only)`,
      );
    }
    out[key] = value;
  }
  registerSecret(out.clientSecret);
  return out as FinProCredentials;
}

/** The request headers for a set of credentials under the given names; registers the secret again for library callers. */
export function credentialHeaders(c: FinProCredentials, names: FinProHeaderNames = DEFAULT_HEADER_NAMES): Record<string, string> {
  registerSecret(c.clientSecret);
  return {
    [names.clientId]: c.clientId,
    [names.clientSecret]: c.clientSecret,
    [names.appId]: c.appId,
    [names.orgId]: c.orgId,
  };
}
