import { BatchprepError, ErrorCode } from '../../errors.js';
import { redactUrl, registerSecret } from '../../redact.js';
import { httpError, parseJson, sendSmall } from './http.js';

/** The FIP token endpoint named in the fileX guide. */
export const DEFAULT_FIP_TOKEN_URL = 'https://ews.fip.finra.org/fip/rest/ews/oauth2/access_token';

export interface FipAuthOptions {
  /** FIP token URL (checked by the caller with `checkEndpoint`). */
  tokenUrl: URL;
  /** FILEX_USERNAME. */
  username: string;
  /** FILEX_PASSWORD. */
  password: string;
  /** Clock (tests). @default Date.now */
  now?: () => number;
}

/** `error: error_description` from an RFC 6749 error body, or undefined. */
function oauthError(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [j.error, j.error_description].filter((v): v is string => typeof v === 'string' && v !== '');
    return parts.length ? parts.join(': ') : undefined;
  } catch {
    return undefined;
  }
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  token_type?: unknown;
}

/**
 * FIP OAuth2 client-credentials tokens: fetched on first use, cached until shortly before
 * `expires_in` runs out, and dropped on demand when fileX answers 401 so the caller can
 * refresh exactly once. Concurrent callers share one in-flight request.
 */
export class FipAuth {
  private token?: string;
  private expiresAt = 0;
  private inflight?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly options: FipAuthOptions) {
    registerSecret(options.password);
    registerSecret(Buffer.from(`${options.username}:${options.password}`).toString('base64'));
    this.now = options.now ?? Date.now;
  }

  /** A valid bearer token, from cache when it has not expired. */
  async getToken(signal?: AbortSignal): Promise<string> {
    if (this.token && this.now() < this.expiresAt) return this.token;
    this.inflight ??= this.fetchToken(signal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets the cached token (after a 401) so the next `getToken` asks FIP again. */
  invalidate(token?: string): void {
    if (token === undefined || token === this.token) {
      this.token = undefined;
      this.expiresAt = 0;
    }
  }

  // Exactly the guide's samples: POST with grant_type=client_credentials in the query string,
  // HTTP Basic credentials, and no body (RFC 6749 forbids sending a parameter twice).
  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const url = new URL(this.options.tokenUrl.href);
    url.searchParams.set('grant_type', 'client_credentials');
    const basic = Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64');
    const res = await sendSmall(url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
      signal,
    });
    const said = oauthError(res.text);
    if (res.status === 401 || res.status === 403) {
      throw new BatchprepError(
        ErrorCode.Unauthorized,
        `FIP refused the credentials (${res.status}${said ? `: ${said}` : ''}); check FILEX_USERNAME and FILEX_PASSWORD`,
        { status: res.status },
      );
    }
    if (res.status === 400) {
      // RFC 6749 5.2: FIP names its own error; its words are the diagnosis, not our guess.
      throw new BatchprepError(
        said && /invalid_client|unauthorized_client/.test(said) ? ErrorCode.Unauthorized : ErrorCode.UnexpectedResponse,
        `FIP refused the token request (400${said ? `: ${said}` : ''}) at ${redactUrl(url)}`,
        { status: 400 },
      );
    }
    if (res.status < 200 || res.status >= 300) throw httpError(res, url, 'FIP token request');
    const body = parseJson<TokenResponse>(res, url, 'an OAuth2 token');
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new BatchprepError(ErrorCode.UnexpectedResponse, 'FIP token response has no access_token', { status: res.status });
    }
    registerSecret(body.access_token);
    const lifeMs = (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 300) * 1000;
    // Renew a little early (a tenth of the life, at most 30 s) so a request never carries a token that dies in flight.
    this.expiresAt = this.now() + lifeMs - Math.min(30_000, lifeMs / 10);
    this.token = body.access_token;
    return body.access_token;
  }
}
