// What the fileX server needs from the bucket behind it: put/get/head/copy/list and URLs
// pre-signed for one object. Three implementations: the sandbox's directory store (its own
// signed, expiring URLs on the API's port), the sandbox's S3 store (a bucket on an
// S3-compatible server, s3-store.ts) and the tests' S3 harness (s3rver behind a credential
// gate). S3 Direct (S3TransferTokens) needs a real S3 endpoint, so its three members are optional.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** Temporary S3 credentials for S3 Direct (S3TransferTokens). */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601. */
  expiration: string;
}

/** Which keys issued credentials may touch (prefixes of `bucket/key`); omitted = everything. */
export interface CredentialScope {
  readPaths?: string[];
  writePaths?: string[];
}

export interface ObjectStore {
  putObject(key: string, body: Buffer): Promise<void>;
  getObject(key: string): Promise<Buffer | undefined>;
  headObject(key: string): Promise<{ size: number; lastModified: Date } | undefined>;
  copyObject(fromKey: string, toKey: string): Promise<void>;
  /** Every object whose key starts with `prefix`. */
  listObjects(prefix: string): Promise<StoredObject[]>;
  /** A URL that lets anyone GET or PUT `key` for `ttlSeconds` (the AWS SDK's signer is async). */
  presign(method: 'GET' | 'PUT', key: string, ttlSeconds: number): string | Promise<string>;
  /** Present when an S3-compatible server holds the objects (S3 Direct is then served). */
  bucket?: string;
  region?: string;
  issueCredentials?(ttlSeconds: number, scope?: CredentialScope): IssuedCredentials;
}

/** A store that answers its own pre-signed URLs on the API's port. */
export interface ServingStore extends ObjectStore {
  presign(method: 'GET' | 'PUT', key: string, ttlSeconds: number): string;
  /** Takes the request when it is for one of the store's URLs; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}
