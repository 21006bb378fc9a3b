/**
 * Text every `--help` shares, kept in one place so that the commands, the README and the
 * exit-code table of src/errors.ts say the same thing.
 */

/** The full exit-code table (src/errors.ts), for every command's epilogue. */
export const EXIT_CODES_HELP =
  'Exit codes: 0 success; 1 data rejected (locally or by the service); 2 usage error or local I/O ' +
  '(bad flag, unreadable file) - wins over 1 when both happen; 3 remote or transport failure after retries; ' +
  '4 authentication or authorization refused; 130 interrupted (Ctrl-C).';

/** Environment variables every command reads. */
export const COMMON_ENV_HELP = 'NO_COLOR (non-empty: no colour), BATCHPREP_PROFILE, BATCHPREP_CONFIG_FILE';

/** Network settings every networked command reads. */
const NETWORK_ENV_HELP = 'HTTPS_PROXY, HTTP_PROXY, NO_PROXY (either case), NODE_EXTRA_CA_CERTS, BATCHPREP_CA_FILE (or --ca-file)';

/** Environment variables of `finpro submit`. */
export const FINPRO_ENV_HELP =
  'Environment: FINPRO_BASE_URL (or --endpoint), FINPRO_CLIENT_ID, FINPRO_CLIENT_SECRET (secret) or FINPRO_CLIENT_SECRET_FILE, FINPRO_APP_ID, FINPRO_ORG_ID, ' +
  'and the settings the FinPro document leaves open (defaults to check against your onboarding pack): FINPRO_UPLOAD_URL (default: base URL + /fi/requests/schedule/upload/v3), ' +
  'FINPRO_HEADER_CLIENT_ID (client_id), FINPRO_HEADER_CLIENT_SECRET (client_secret), FINPRO_HEADER_APP_ID (appIdentifier), FINPRO_HEADER_ORG_ID (organisationId), FINPRO_FILE_FIELD (file); ' +
  NETWORK_ENV_HELP + ', ' + COMMON_ENV_HELP + '. Non-secret settings may come from a profile (--profile).';

/** Environment variables of the `filex` commands. */
export const FILEX_ENV_HELP =
  'Environment: FILEX_USERNAME, FILEX_PASSWORD (secret), FILEX_BASE_URL, FIP_TOKEN_URL, FILEX_S3_ENDPOINT, ' +
  'FILEX_SFTP_HOST, FILEX_SFTP_PORT, FILEX_SFTP_USER, FILEX_SFTP_PASSWORD (secret), FILEX_SFTP_KEY_FILE, FILEX_SFTP_KEY_PASSPHRASE (secret), ' +
  'FILEX_SFTP_HOST_FINGERPRINT, FILEX_SFTP_KNOWN_HOSTS, FILEX_SFTP_KEX, FILEX_SFTP_CIPHERS, FILEX_SFTP_MACS, FILEX_SFTP_HOST_KEY_ALGORITHMS, FILEX_SFTP_PARTIAL, FILEX_SFTP_PROXY, ' +
  '*_FILE for each secret (e.g. FILEX_PASSWORD_FILE), ' + NETWORK_ENV_HELP + ', ' + COMMON_ENV_HELP + '.';

/** The epilogue of a command that reads no service settings. */
export const LOCAL_EPILOGUE = `Environment: ${COMMON_ENV_HELP}.\n${EXIT_CODES_HELP}`;

/** "1 file", "2 files". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
