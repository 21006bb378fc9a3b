import { BatchprepError, ErrorCode } from '../../errors.js';
import { registerSecret } from '../../redact.js';

/** The four identity headers of the FinPro File Upload API. */
export interface FinProCredentials {
  /** Sent as `client_id` (FINPRO_CLIENT_ID). */
  clientId: string;
  /** Sent as `client_secret` (FINPRO_CLIENT_SECRET); never printed. */
  clientSecret: string;
  /** Sent as `appIdentifier` (FINPRO_APP_ID). */
  appId: string;
  /** Sent as `organisationId` (FINPRO_ORG_ID). */
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
        `${name} is not set: export your FinPro ${label} in ${name} (credentials come from the environment only)`,
      );
    }
    out[key] = value;
  }
  registerSecret(out.clientSecret);
  return out as FinProCredentials;
}

/** The request headers for a set of credentials; registers the secret again for library callers. */
export function credentialHeaders(c: FinProCredentials): Record<string, string> {
  registerSecret(c.clientSecret);
  return {
    client_id: c.clientId,
    client_secret: c.clientSecret,
    appIdentifier: c.appId,
    organisationId: c.orgId,
  };
}
