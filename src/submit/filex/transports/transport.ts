import type { FilexClient, FilexEntry } from '../client.js';
import type { RemoteSpace } from '../download.js';
import type { FilexPath } from '../names.js';
import type { UploadSource } from '../source.js';
import type { UploadResult } from './rest.js';
import type { SftpOptions } from './sftp-options.js';

/** The transports fileX offers (guide: HTTPS REST, S3 Direct, SFTP). */
export type Via = 'rest' | 's3' | 'sftp';

/** What a transport may use: the REST client (FIP auth), SFTP settings, an S3 endpoint override. */
export interface TransportContext {
  /** Required by transports whose `needsClient` is true; optional for SFTP (used for the writable check). */
  client?: FilexClient;
  /** Required by the SFTP transport. */
  sftp?: SftpOptions;
  /** S3 endpoint override (path-style). */
  s3Endpoint?: string;
  signal?: AbortSignal;
  /** Messages for people (part size raised, abort outcome, resume state). */
  onNotice?: (message: string) => void;
}

/** Per-upload settings; each transport reads the ones it knows. */
export interface TransportUploadOptions {
  /** REST: `filex-<key>` headers. */
  meta?: Record<string, string>;
  /** S3: multipart part size in bytes. */
  partSize?: number;
  /** S3: parts in flight. */
  concurrency?: number;
  /** S3: continue the journalled multipart upload. */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
}

type Space = Required<Omit<FilexPath, 'name'>>;

/**
 * One way of moving files to and from fileX. A new transport is this interface implemented
 * in one file plus one line in `registry.ts`; the library and the CLI only call these.
 */
export interface FilexTransport {
  readonly via: Via;
  /** True when the transport cannot work without the REST client (FILEX_USERNAME/PASSWORD). */
  readonly needsClient: boolean;
  /** True when the transport needs SFTP settings (host, user, key or password). */
  readonly needsSftp: boolean;
  /** Uploads `src` to `org/app/space/name`. */
  upload(ctx: TransportContext, src: UploadSource, path: Required<FilexPath>, options: TransportUploadOptions): Promise<UploadResult>;
  /** Runs `fn` with a sub-space seen through this transport (sessions closed afterwards). */
  withSpace<T>(ctx: TransportContext, space: Space, fn: (remote: RemoteSpace) => Promise<T>): Promise<T>;
  /** A directory document for `org[/app[/space]]` (a level the transport cannot list is a UsageError). */
  list(ctx: TransportContext, path: FilexPath): Promise<FilexEntry>;
}
