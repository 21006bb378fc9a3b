import { BatchprepError, ErrorCode } from '../../../errors.js';
import type { FilexTransport, Via } from './transport.js';

// Each transport loads on first use, so the AWS SDK and ssh2 stay out of commands that do not need them.
const loaders: Record<Via, () => Promise<FilexTransport>> = {
  rest: async () => (await import('./transport-rest.js')).restTransport,
  s3: async () => (await import('./transport-s3.js')).s3Transport,
  sftp: async () => (await import('./transport-sftp.js')).sftpTransport,
};

/** Every transport name, for `--via` choices. */
export const TRANSPORTS = Object.keys(loaders) as Via[];

/** The transport registered under `via`; an unknown name is an InvalidOption. */
export async function loadTransport(via: string): Promise<FilexTransport> {
  const load = (loaders as Record<string, (() => Promise<FilexTransport>) | undefined>)[via];
  if (!load) throw new BatchprepError(ErrorCode.InvalidOption, `unknown fileX transport '${via}' (expected ${TRANSPORTS.join(', ')})`);
  return load();
}
