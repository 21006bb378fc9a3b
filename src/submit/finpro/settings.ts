import { BatchprepError, ErrorCode } from '../../errors.js';
import { FINPRO_UPLOAD_PATH } from '../../core/finpro-rules.js';
import { checkEndpoint, joinUrl } from '../http/endpoint.js';

/**
 * The FinPro File Upload API document gives no URL path, no header names (only what each
 * header carries) and no name for the file field. These are batchprep's defaults for them;
 * check each against your onboarding pack and override it (FINPRO_UPLOAD_URL,
 * FINPRO_HEADER_*, FINPRO_FILE_FIELD, a profile, or the library options). The default path,
 * FINPRO_UPLOAD_PATH, is in core/finpro-rules.ts with the API's other facts.
 */
export { FINPRO_UPLOAD_PATH };

/** The names of the four identity headers (the document describes them but does not name them). */
export interface FinProHeaderNames {
  /** "Your unique client identifier provided by FinPro during onboarding." @default 'client_id' */
  clientId: string;
  /** "Your confidential client secret key provided by FinPro." @default 'client_secret' */
  clientSecret: string;
  /** "The unique identifier for your application." @default 'appIdentifier' */
  appId: string;
  /** "Your organization's unique identifier assigned by FinPro." @default 'organisationId' */
  orgId: string;
}

export const DEFAULT_HEADER_NAMES: Readonly<FinProHeaderNames> = Object.freeze({
  clientId: 'client_id',
  clientSecret: 'client_secret',
  appId: 'appIdentifier',
  orgId: 'organisationId',
});

/** The multipart field that carries the file. @default 'file' */
export const DEFAULT_FILE_FIELD = 'file';

/** The undocumented protocol details, as the library options take them. */
export interface FinProProtocolOptions {
  /** Base URL, e.g. `https://api.finpro.example`; the upload URL is this + `/fi/requests/schedule/upload/v3`. */
  baseUrl?: string;
  /** The full upload URL; when given it is used as is and `baseUrl` is not needed. */
  uploadUrl?: string;
  /** Header names, each defaulting to `DEFAULT_HEADER_NAMES`. */
  headerNames?: Partial<FinProHeaderNames>;
  /** The file part's field name. @default 'file' */
  fileField?: string;
}

/** The details resolved once per entry point. */
export interface ResolvedFinProProtocol {
  url: URL;
  headerNames: FinProHeaderNames;
  fileField: string;
}

/** The environment variables of each setting, for messages and for `finProProtocolFromEnv`. */
export const HEADER_VARIABLES: Record<keyof FinProHeaderNames, string> = {
  clientId: 'FINPRO_HEADER_CLIENT_ID',
  clientSecret: 'FINPRO_HEADER_CLIENT_SECRET',
  appId: 'FINPRO_HEADER_APP_ID',
  orgId: 'FINPRO_HEADER_ORG_ID',
};

/** An HTTP header name is an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** The text fields the client sends; the file field must not take one of their names. */
const TEXT_FIELDS = ['reference_id', 'tracking_id', 'global_config', 'globalConfig', 'fiDataRangeFrom', 'fiDataRangeTo', 'configId'];

/**
 * Resolves the URL, header names and file field once, at the boundary, so that a bad value
 * fails before any I/O: the URL must be https (http only for loopback), header names HTTP
 * tokens and distinct, the file field non-empty and not the name of a text field.
 */
export function resolveFinproOptions(o: FinProProtocolOptions): ResolvedFinProProtocol {
  let url: URL;
  if (o.uploadUrl !== undefined && o.uploadUrl !== '') {
    url = checkEndpoint(o.uploadUrl, 'FinPro upload URL (FINPRO_UPLOAD_URL)');
  } else if (o.baseUrl !== undefined && o.baseUrl !== '') {
    url = joinUrl(checkEndpoint(o.baseUrl, 'FinPro endpoint'), ...FINPRO_UPLOAD_PATH);
  } else {
    throw new BatchprepError(ErrorCode.MissingCredential, 'no FinPro endpoint: set FINPRO_BASE_URL (or the full FINPRO_UPLOAD_URL), or pass --endpoint URL');
  }
  const headerNames = { ...DEFAULT_HEADER_NAMES };
  const seen = new Map<string, string>();
  for (const key of Object.keys(DEFAULT_HEADER_NAMES) as Array<keyof FinProHeaderNames>) {
    const given = o.headerNames?.[key];
    if (given !== undefined) {
      const name = given.trim();
      if (!TOKEN.test(name)) {
        throw new BatchprepError(ErrorCode.InvalidOption, `${HEADER_VARIABLES[key]} '${given}' is not a valid HTTP header name (letters, digits and !#$%&'*+.^_\`|~- only)`);
      }
      headerNames[key] = name;
    }
    const lower = headerNames[key].toLowerCase();
    const other = seen.get(lower);
    if (other) {
      throw new BatchprepError(ErrorCode.InvalidOption, `${HEADER_VARIABLES[key]} and ${other} name the same header '${headerNames[key]}'; each credential needs its own header`);
    }
    seen.set(lower, HEADER_VARIABLES[key]);
  }
  const fileField = o.fileField === undefined ? DEFAULT_FILE_FIELD : o.fileField.trim();
  if (fileField === '' || /[\r\n"]/.test(fileField) || TEXT_FIELDS.includes(fileField)) {
    throw new BatchprepError(
      ErrorCode.InvalidOption,
      `FINPRO_FILE_FIELD '${o.fileField}' cannot name the file field: use a non-empty name without quotes or line breaks, other than ${TEXT_FIELDS.join(', ')}`,
    );
  }
  return { url, headerNames, fileField };
}

/**
 * Reads the protocol settings from an environment map (FINPRO_UPLOAD_URL, FINPRO_BASE_URL,
 * FINPRO_HEADER_*, FINPRO_FILE_FIELD); unset or empty variables keep their defaults.
 */
export function finProProtocolFromEnv(env: Record<string, string | undefined>): FinProProtocolOptions {
  const get = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const headerNames: Partial<FinProHeaderNames> = {};
  for (const [key, name] of Object.entries(HEADER_VARIABLES) as Array<[keyof FinProHeaderNames, string]>) {
    const v = get(name);
    if (v !== undefined) headerNames[key] = v;
  }
  return { baseUrl: get('FINPRO_BASE_URL'), uploadUrl: get('FINPRO_UPLOAD_URL'), headerNames, fileField: get('FINPRO_FILE_FIELD') };
}
