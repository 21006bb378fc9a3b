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
export const COMMON_ENV_HELP = 'NO_COLOR (non-empty: no colour)';

/** Environment variables of `finpro submit`. */
export const FINPRO_ENV_HELP =
  'Environment: FINPRO_BASE_URL (or --endpoint), FINPRO_CLIENT_ID, FINPRO_CLIENT_SECRET (secret), FINPRO_APP_ID, FINPRO_ORG_ID, ' + COMMON_ENV_HELP + '.';

/** Environment variables of the `filex` commands. */
export const FILEX_ENV_HELP =
  'Environment: FILEX_USERNAME, FILEX_PASSWORD (secret), FILEX_BASE_URL, FIP_TOKEN_URL, FILEX_S3_ENDPOINT, ' +
  'FILEX_SFTP_HOST, FILEX_SFTP_PORT, FILEX_SFTP_USER, FILEX_SFTP_PASSWORD (secret), FILEX_SFTP_KEY_FILE, FILEX_SFTP_KEY_PASSPHRASE (secret), ' +
  'FILEX_SFTP_HOST_FINGERPRINT, ' + COMMON_ENV_HELP + '.';

/** The epilogue of a command that reads no service settings. */
export const LOCAL_EPILOGUE = `Environment: ${COMMON_ENV_HELP}.\n${EXIT_CODES_HELP}`;

/** "1 file", "2 files". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
