import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { BatchprepError } from '../../errors.js';
import { withRetry } from '../http/retry.js';
import type { FilexClient, FilexEntry } from './client.js';
import { writeAtomically, type RemoteSpace } from './download.js';
import { formatPath, type FilexPath } from './names.js';
import { createS3Client, fromS3Error, resolveS3Target, stsCredentialProvider } from './transports/s3-common.js';
import { fromSftpError, sftpRemotePath, withSftp, type SftpOptions } from './transports/sftp-session.js';
import type SftpClient from 'ssh2-sftp-client';

type Space = Required<Omit<FilexPath, 'name'>>;

/** Runs `fn` with a sub-space seen through S3 Direct (the read path of the space, STS credentials that refresh). */
export async function withS3Space<T>(
  client: FilexClient,
  space: Space,
  options: { endpoint?: string; signal?: AbortSignal },
  fn: (remote: RemoteSpace, s3: S3Client) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  const tokens = await client.s3Tokens(space.org, space.app, signal);
  // The prefix of the space: resolve a dummy name and strip it.
  const base = resolveS3Target(tokens, { ...space, name: 'x' }, 'read');
  const prefix = base.key.slice(0, -1);
  const sts = stsCredentialProvider(client, space.org, space.app, tokens, signal);
  const s3 = createS3Client(base.region, sts.provider, { endpoint: options.endpoint });
  const remote: RemoteSpace = {
    label: formatPath(space),
    async list() {
      const out: FilexEntry[] = [];
      let token: string | undefined;
      do {
        const r = await s3
          .send(new ListObjectsV2Command({ Bucket: base.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }), { abortSignal: signal })
          .catch((e) => {
            throw fromS3Error(e, `listing ${formatPath(space)} over S3`);
          });
        for (const o of r.Contents ?? []) {
          if (!o.Key || o.Key === prefix) continue;
          out.push({ name: o.Key.slice(prefix.length), type: 'FILE', metadata: { contentLength: o.Size, lastModified: o.LastModified?.toISOString() } });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    fetch(name, outFile, expectedSize, onProgress) {
      return withRetry(async ({ signal }) => {
        const r = await s3.send(new GetObjectCommand({ Bucket: base.bucket, Key: prefix + name }), { abortSignal: signal }).catch((e) => {
          throw fromS3Error(e, `S3 download of ${formatPath({ ...space, name })}`);
        });
        try {
          return await writeAtomically(r.Body as Readable, outFile, {
            announced: r.ContentLength,
            expectedSize,
            signal,
            onProgress,
            what: formatPath({ ...space, name }),
            name,
          });
        } catch (err) {
          throw fromS3Error(err, `S3 download of ${formatPath({ ...space, name })}`);
        }
      }, client.retryOptions(signal));
    },
  };
  try {
    return await fn(remote, s3);
  } finally {
    s3.destroy();
  }
}

// Lists a remote directory as fileX-shaped entries.
async function sftpList(sftp: SftpClient, dir: string): Promise<FilexEntry[]> {
  const items = await sftp.list(dir).catch((err) => {
    throw fromSftpError(err, `SFTP list ${dir}`);
  });
  return items.map((i) => ({
    name: i.name,
    type: i.type === 'd' ? 'DIR' : i.type === '-' ? 'FILE' : i.type,
    metadata: {
      writable: Boolean(i.rights?.user?.includes('w')),
      ...(i.type === '-' ? { contentLength: i.size } : {}),
      lastModified: new Date(i.modifyTime).toISOString(),
    },
  }));
}

/** Runs `fn` with a sub-space seen through one SFTP session (closed afterwards, whatever happens). */
export async function withSftpSpace<T>(options: SftpOptions, space: Space, fn: (remote: RemoteSpace) => Promise<T>): Promise<T> {
  return withSftp(options, async (sftp) => {
    const dir = sftpRemotePath(space);
    const remote: RemoteSpace = {
      label: formatPath(space),
      list: () => sftpList(sftp, dir),
      async fetch(name, outFile, expectedSize, onProgress) {
        const remotePath = `${dir}/${name}`;
        const st = await sftp.stat(remotePath).catch((err) => {
          throw fromSftpError(err, `SFTP stat ${remotePath}`);
        });
        try {
          return await writeAtomically(sftp.createReadStream(remotePath), outFile, {
            announced: st.size,
            expectedSize,
            signal: options.signal,
            onProgress,
            what: formatPath({ ...space, name }),
            name,
          });
        } catch (err) {
          if (err instanceof BatchprepError) throw err;
          throw fromSftpError(err, `SFTP download of ${remotePath}`);
        }
      },
    };
    return fn(remote);
  });
}

/** Lists `org[/app[/space]]` over SFTP as a fileX directory document. */
export async function sftpListing(options: SftpOptions, path: FilexPath): Promise<FilexEntry> {
  return withSftp(options, async (sftp) => {
    const dir = sftpRemotePath(path) || '.';
    const children = await sftpList(sftp, dir);
    const segs = dir === '.' ? [] : dir.split('/');
    return { name: segs.at(-1) ?? '.', type: 'DIR', children };
  });
}
