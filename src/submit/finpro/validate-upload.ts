import { BatchprepError, ErrorCode } from '../../errors.js';
import type { GlobalDefaults } from '../../core/defaults.js';
import type { DateFormat } from '../../core/datetime.js';
import type { FileReport } from '../../core/issues.js';
import { validateFile } from '../../validate/faces.js';

export interface ValidateUploadOptions {
  /** The name the server will see; its extension decides the format, as on the server. */
  fileName: string;
  defaults?: GlobalDefaults;
  maxBytes: number;
  strict?: boolean;
  dateFormat?: DateFormat;
  signal?: AbortSignal;
}

/**
 * Runs the validator engine on a file before it is uploaded, so a rejection is found locally
 * and points at lines. Resolves to the report when the file would be accepted; otherwise
 * throws `ValidationFailed` carrying the report as `errorDetails`.
 */
export async function validateForUpload(path: string, options: ValidateUploadOptions): Promise<FileReport> {
  const report = await validateFile(path, options);
  if (report.valid) return report;
  const first = report.issues.find((i) => i.severity === 'error');
  const n = report.errorCount;
  throw new BatchprepError(
    ErrorCode.ValidationFailed,
    `${options.fileName}: ${n} error${n === 1 ? '' : 's'} found locally` +
      `${report.apiErrorCode ? ` (FinPro would answer ${report.apiErrorCode})` : " (the rows break the documented rules; the service's answer to such rows is not documented)"}` +
      `${first ? `, first ${first.code}${first.line ? ` at line ${first.line}` : ''}` : ''}` +
      '; nothing was sent. Fix the file, or pass --no-validate to let the server decide',
    { file: options.fileName, errorDetails: report, retryable: false, attempts: 0 },
  );
}
