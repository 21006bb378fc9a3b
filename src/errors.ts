/**
 * Failures (as opposed to issues, which are data): one error class whose `code`
 * comes from a const object, so the type and the runtime cannot drift.
 * Match on `err.code`, not on `instanceof`.
 */

/** Every failure code, grouped by the exit code the CLI maps it to. */
export const ErrorCode = {
  // exit 1: the data was rejected
  ValidationFailed: 'ValidationFailed',
  UnsupportedFileType: 'UnsupportedFileType',
  FileTooLarge: 'FileTooLarge',
  DuplicateReferenceId: 'DuplicateReferenceId',
  InvalidFileContent: 'InvalidFileContent',
  Rejected: 'Rejected',
  // exit 2: usage or local I/O
  UsageError: 'UsageError',
  InvalidOption: 'InvalidOption',
  InvalidDefaults: 'InvalidDefaults',
  InvalidReferenceId: 'InvalidReferenceId',
  InvalidFileName: 'InvalidFileName',
  InsecureEndpoint: 'InsecureEndpoint',
  MissingCredential: 'MissingCredential',
  FileNotFound: 'FileNotFound',
  OutputExists: 'OutputExists',
  IoError: 'IoError',
  InputTooLarge: 'InputTooLarge',
  NotWritable: 'NotWritable',
  RemoteNotFound: 'RemoteNotFound',
  InvalidManifest: 'InvalidManifest',
  ManifestMismatch: 'ManifestMismatch',
  InvalidConfig: 'InvalidConfig',
  ProfileNotFound: 'ProfileNotFound',
  SecretInConfig: 'SecretInConfig',
  // exit 3: remote or transport failure after retries
  ServerError: 'ServerError',
  RateLimited: 'RateLimited',
  NetworkError: 'NetworkError',
  Timeout: 'Timeout',
  UnexpectedResponse: 'UnexpectedResponse',
  RemoteError: 'RemoteError',
  IntegrityError: 'IntegrityError',
  // exit 4: authentication or authorization refused
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  SpaceNotWritable: 'SpaceNotWritable',
  UnknownHostKey: 'UnknownHostKey',
  HostKeyChanged: 'HostKeyChanged',
  // exit 130: interrupted by the caller (AbortSignal, Ctrl-C)
  Aborted: 'Aborted',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The CLI's exit codes (SPEC section 4). */
export const ExitCode = {
  Ok: 0,
  Rejected: 1,
  Usage: 2,
  Remote: 3,
  Auth: 4,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodes: Record<ErrorCode, ExitCode> = {
  ValidationFailed: 1,
  UnsupportedFileType: 1,
  FileTooLarge: 1,
  DuplicateReferenceId: 1,
  InvalidFileContent: 1,
  Rejected: 1,
  UsageError: 2,
  InvalidOption: 2,
  InvalidDefaults: 2,
  InvalidReferenceId: 2,
  InvalidFileName: 2,
  InsecureEndpoint: 2,
  MissingCredential: 2,
  FileNotFound: 2,
  OutputExists: 2,
  IoError: 2,
  InputTooLarge: 2,
  NotWritable: 2,
  RemoteNotFound: 2,
  InvalidManifest: 2,
  ManifestMismatch: 2,
  InvalidConfig: 2,
  ProfileNotFound: 2,
  SecretInConfig: 2,
  ServerError: 3,
  RateLimited: 3,
  NetworkError: 3,
  Timeout: 3,
  UnexpectedResponse: 3,
  RemoteError: 3,
  IntegrityError: 3,
  Unauthorized: 4,
  Forbidden: 4,
  SpaceNotWritable: 4,
  UnknownHostKey: 4,
  HostKeyChanged: 4,
  Aborted: 130,
};

/**
 * The exit code of a failure code. A string outside the table (a server's own code, as in
 * `serverCode`) maps by status: a 4xx rejection to exit 1, anything else to exit 3.
 */
export function exitCodeFor(code: string, status?: number): ExitCode {
  if (isErrorCode(code)) return exitCodes[code];
  if (status !== undefined && status >= 400 && status < 500) return ExitCode.Rejected;
  return ExitCode.Remote;
}

export interface BatchprepErrorDetails {
  /** The original error, kept for `--debug`. */
  cause?: unknown;
  /** HTTP status of the response that failed, when there was one. */
  status?: number;
  /** Server transaction id (FinPro `txnid`). */
  txnid?: string;
  /** Server-sent structured details (FinPro `errorDetails`). */
  errorDetails?: unknown;
  /** Whether trying again could succeed. */
  retryable?: boolean;
  /** The file the failure is about. */
  file?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** The server's own error code (FinPro `errorCode`), kept apart from the closed `code`. */
  serverCode?: string;
  /** How long the server asked to wait before trying again (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** For `NetworkError`: the connection was never made, so the request cannot have landed. */
  connectFailed?: boolean;
}

/** The one failure type of the library; `code` is stable, `message` is for people. */
export class BatchprepError extends Error {
  override readonly name = 'BatchprepError';
  readonly code: ErrorCode;
  readonly serverCode?: string;
  readonly status?: number;
  readonly txnid?: string;
  readonly errorDetails?: unknown;
  readonly retryable: boolean;
  readonly file?: string;
  readonly attempts?: number;
  readonly retryAfterMs?: number;
  readonly connectFailed?: boolean;

  constructor(code: ErrorCode, message: string, details: BatchprepErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.txnid = details.txnid;
    this.errorDetails = details.errorDetails;
    this.retryable = details.retryable ?? false;
    this.file = details.file;
    this.attempts = details.attempts;
    this.serverCode = details.serverCode;
    this.retryAfterMs = details.retryAfterMs;
    this.connectFailed = details.connectFailed;
  }

  /** The same failure with the number of attempts made (errors are immutable; the retry loop calls this). */
  withAttempts(attempts: number): BatchprepError {
    const copy = new BatchprepError(this.code, this.message, { ...this.details(), attempts });
    if (this.stack) copy.stack = this.stack;
    return copy;
  }

  /** The constructor's details of this error, to copy it. */
  private details(): BatchprepErrorDetails {
    const { cause } = this;
    return {
      ...(cause === undefined ? {} : { cause }),
      status: this.status,
      txnid: this.txnid,
      errorDetails: this.errorDetails,
      retryable: this.retryable,
      file: this.file,
      attempts: this.attempts,
      serverCode: this.serverCode,
      retryAfterMs: this.retryAfterMs,
      connectFailed: this.connectFailed,
    };
  }

  /** The CLI exit code for this failure. */
  get exitCode(): ExitCode {
    return exitCodeFor(this.code, this.status);
  }
}

export function isBatchprepError(err: unknown): err is BatchprepError {
  return err instanceof Error && (err as { name?: string }).name === 'BatchprepError' && 'code' in err;
}

/** True when `code` is one of ours (a server's `errorCode` may or may not be). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(exitCodes, code);
}

/** The failure of work stopped by its AbortSignal (Ctrl-C in the CLI); `cause` keeps the reason. */
export function abortedError(cause?: unknown): BatchprepError {
  return new BatchprepError(ErrorCode.Aborted, 'the operation was aborted', cause === undefined ? {} : { cause });
}

/** Throws `Aborted` when the signal has fired; call at every await point of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal.reason);
}

/** Turns a Node fs error into a coded failure with a message that says what to do. */
export function fromFsError(err: unknown, path: string, doing: 'read' | 'write'): BatchprepError {
  const e = err as NodeJS.ErrnoException;
  if (isBatchprepError(err)) return err;
  if (e?.code === 'ENOENT' && doing === 'read') {
    return new BatchprepError(ErrorCode.FileNotFound, `${path}: no such file (check the path)`, { cause: err, file: path });
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM' || e?.code === 'EROFS') {
    return new BatchprepError(
      doing === 'write' ? ErrorCode.NotWritable : ErrorCode.IoError,
      `${path}: permission denied (${doing === 'write' ? 'choose a writable location' : 'check the file permissions'})`,
      { cause: err, file: path },
    );
  }
  if (e?.code === 'EISDIR') {
    return new BatchprepError(ErrorCode.IoError, `${path}: is a directory, expected a file`, { cause: err, file: path });
  }
  if (e?.code === 'ENOSPC') {
    return new BatchprepError(ErrorCode.IoError, `${path}: no space left on device`, { cause: err, file: path });
  }
  return new BatchprepError(ErrorCode.IoError, `${path}: cannot ${doing} (${e?.code ?? e?.message ?? String(err)})`, {
    cause: err,
    file: path,
  });
}
