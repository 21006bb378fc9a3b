// The library face: submitToFinPro against the test server, and the reply → error mapping.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { BatchprepError, ErrorCode, exitCodeFor } from '../../../src/errors.js';
import { submitToFinPro, type SubmitToFinProOptions } from '../../../src/submit/finpro/client.js';
import { finProCredentialsFromEnv } from '../../../src/submit/finpro/credentials.js';
import { errorFromReply, mayHaveLanded, parseSuccessReply } from '../../../src/submit/finpro/errors.js';
import { buildMultipart } from '../../../src/submit/finpro/multipart.js';
import { checkReferenceId, generateReferenceId, isValidReferenceId } from '../../../src/submit/finpro/reference-id.js';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../../servers/finpro-server.js';
import { GOOD_CSV, GOOD_JSON, tempFiles } from './finpro-helpers.js';

let server: FinProServer;
let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  server = await startFinProServer();
  files = await tempFiles({
    'good.csv': GOOD_CSV,
    'good.json': GOOD_JSON,
    'bad.csv': 'consentId\nnot-a-uuid\n',
    'report.pdf': '%PDF-1.4\n',
    noext: GOOD_JSON,
  });
});
afterAll(async () => {
  await server.close();
  await files.cleanup();
});
beforeEach(() => server.reset());

function opts(extra: Partial<SubmitToFinProOptions> = {}): SubmitToFinProOptions {
  return { baseUrl: server.url, credentials: TEST_CREDENTIALS, retryBaseDelayMs: 10, ...extra };
}

async function failure(p: Promise<unknown>): Promise<BatchprepError> {
  try {
    await p;
  } catch (err) {
    return err as BatchprepError;
  }
  throw new Error('expected a failure');
}

describe('reference IDs', () => {
  test('generated IDs follow the API rule and differ', () => {
    const a = generateReferenceId(new Date('2026-01-02T03:04:05Z'));
    expect(a).toMatch(/^bp-20260102030405-[0-9a-f]{8}$/);
    expect(isValidReferenceId(a)).toBe(true);
    expect(generateReferenceId()).not.toBe(generateReferenceId());
  });
  test('the 5-60 [A-Za-z0-9_-] rule, at its edges', () => {
    expect(checkReferenceId('abcde')).toBe('abcde');
    expect(checkReferenceId('A_-9z'.repeat(12))).toHaveLength(60);
    for (const bad of ['abcd', 'x'.repeat(61), 'a b c d e', 'ref/../x', 'réf-123']) {
      expect(() => checkReferenceId(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidReferenceId }));
    }
  });
});

describe('reply mapping', () => {
  test('documented rejections keep the server code, status, txnid and errorDetails, and are not retryable', () => {
    const e = errorFromReply(413, JSON.stringify({ ver: '1.0', txnid: 't-1', errorCode: 'FileTooLarge', errorMsg: 'too big', errorDetails: { maxSize: 1 } }));
    expect([e.code, e.status, e.txnid, e.errorDetails, e.retryable]).toEqual(['FileTooLarge', 413, 't-1', { maxSize: 1 }, false]);
    expect(e.exitCode).toBe(1);
    const unknown = errorFromReply(422, JSON.stringify({ errorCode: 'SomethingNew', errorMsg: 'x' }));
    expect([unknown.code, unknown.serverCode, unknown.exitCode, unknown.retryable]).toEqual(['Rejected', 'SomethingNew', 1, false]);
    expect(e.serverCode).toBe('FileTooLarge');
  });
  test('401/403 → Unauthorized (exit 4), 429 → RateLimited with Retry-After, 5xx → ServerError, non-JSON 4xx → UnexpectedResponse', () => {
    for (const s of [401, 403]) expect(errorFromReply(s, '{"errorCode":"Whatever"}')).toMatchObject({ code: 'Unauthorized', status: s, retryable: false });
    expect(exitCodeFor('Unauthorized')).toBe(4);
    expect(errorFromReply(429, '{}', '3')).toMatchObject({ code: 'RateLimited', retryable: true, retryAfterMs: 3000 });
    expect(errorFromReply(503, '<html>', null)).toMatchObject({ code: 'ServerError', status: 503, retryable: true });
    expect(errorFromReply(400, '<html>bad</html>')).toMatchObject({ code: 'UnexpectedResponse', status: 400, retryable: false });
  });
  test('a 2xx is success only in the documented shape', () => {
    expect(parseSuccessReply(200, JSON.stringify({ status: 'success', data: { reference_id: 'r', batch_id: 'b' } })).data.batch_id).toBe('b');
    expect(() => parseSuccessReply(200, 'OK')).toThrow(expect.objectContaining({ code: 'UnexpectedResponse' }));
    expect(() => parseSuccessReply(200, '{"status":"queued"}')).toThrow(expect.objectContaining({ code: 'UnexpectedResponse' }));
  });
  test('which failures may have created the batch', () => {
    expect(mayHaveLanded(new BatchprepError('Timeout', 'x'))).toBe(true);
    expect(mayHaveLanded(new BatchprepError('ServerError', 'x', { status: 502 }))).toBe(true);
    expect(mayHaveLanded(new BatchprepError('RateLimited', 'x', { status: 429 }))).toBe(false);
    expect(mayHaveLanded(Object.assign(new BatchprepError('NetworkError', 'x'), { connectFailed: true }))).toBe(false);
  });
});

describe('credentials', () => {
  test('a missing variable is named; all four present give the headers', () => {
    const env = { FINPRO_CLIENT_ID: 'a', FINPRO_CLIENT_SECRET: 'secret-value', FINPRO_APP_ID: 'c', FINPRO_ORG_ID: 'd' };
    expect(finProCredentialsFromEnv(env)).toEqual({ clientId: 'a', clientSecret: 'secret-value', appId: 'c', orgId: 'd' });
    for (const name of Object.keys(env)) {
      const e = { ...env, [name]: '' };
      expect(() => finProCredentialsFromEnv(e)).toThrow(expect.objectContaining({ code: 'MissingCredential', message: expect.stringContaining(name) }));
    }
  });
});

describe('submitToFinPro', () => {
  test('uploads a CSV streamed from disk with the reference ID, global_config and single fields', async () => {
    const r = await submitToFinPro(files.path('good.csv'), opts({ referenceId: 'lib-ref-1', globalConfig: { configId: 'g', fiDataRangeFrom: '2024-01-01T00:00:00Z' }, singleFields: { configId: 'g' } }));
    expect(r).toMatchObject({ referenceId: 'lib-ref-1', status: 'FILE_UPLOADED', storageType: 'database', attempts: 1, duplicateOnRetry: false, bytes: GOOD_CSV.length });
    const got = server.received[0]!;
    expect(got.fields).toEqual({ reference_id: 'lib-ref-1', global_config: '{"configId":"g","fiDataRangeFrom":"2024-01-01T00:00:00Z"}', configId: 'g' });
    expect(got.file).toMatchObject({ name: 'good.csv', mimeType: 'text/csv', bytes: GOOD_CSV.length });
    expect(server.batches.get('lib-ref-1')?.batchId).toBe(r.batchId);
  });

  test('onProgress hears the file bytes up to the file size', async () => {
    const seen: Array<[number, number]> = [];
    await submitToFinPro(files.path('good.csv'), opts({ onProgress: (sent, total) => seen.push([sent, total]) }));
    expect(seen.at(-1)).toEqual([GOOD_CSV.length, GOOD_CSV.length]);
  });

  test('without defaults only file and reference_id are sent; a JSON file goes as application/json', async () => {
    const r = await submitToFinPro(files.path('good.json'), opts());
    expect(Object.keys(server.received[0]!.fields)).toEqual(['reference_id']);
    expect(server.received[0]!.file?.mimeType).toBe('application/json');
    expect(r.referenceId).toMatch(/^bp-\d{14}-[0-9a-f]{8}$/);
  });

  test('a file without extension is sniffed; a stream is spooled and named stdin.<format>', async () => {
    await submitToFinPro(files.path('noext'), opts());
    expect(server.received[0]!.file?.mimeType).toBe('application/json');
    await submitToFinPro(Readable.from([Buffer.from(GOOD_CSV.slice(0, 20)), Buffer.from(GOOD_CSV.slice(20))]), opts());
    expect(server.received[1]!.file).toMatchObject({ name: 'stdin.csv', mimeType: 'text/csv', bytes: GOOD_CSV.length });
  });

  test('local checks fail before any request: endpoint, reference ID, size, validation', async () => {
    expect(await failure(submitToFinPro(files.path('good.csv'), opts({ baseUrl: 'http://finpro.example.com' })))).toMatchObject({ code: 'InsecureEndpoint' });
    expect(await failure(submitToFinPro(files.path('good.csv'), opts({ referenceId: 'no' })))).toMatchObject({ code: 'InvalidReferenceId' });
    const big = await failure(submitToFinPro(files.path('good.csv'), opts({ maxBytes: 100 })));
    expect(big).toMatchObject({ code: 'FileTooLarge', errorDetails: { providedSize: GOOD_CSV.length, maxSize: 100 } });
    const tooBigStream = await failure(submitToFinPro(Readable.from([Buffer.from(GOOD_CSV)]), opts({ maxBytes: 100 })));
    expect(tooBigStream.code).toBe('FileTooLarge');
    const invalid = await failure(submitToFinPro(files.path('bad.csv'), opts()));
    expect(invalid).toMatchObject({ code: 'ValidationFailed', attempts: 0, errorDetails: { valid: false, apiErrorCode: null } }); // row rules only
    expect(await failure(submitToFinPro(files.path('missing.csv'), opts()))).toMatchObject({ code: 'FileNotFound' });
    expect(server.received).toHaveLength(0);
  });

  test('validate: false lets the server decide, and its rejection is typed', async () => {
    const e = await failure(submitToFinPro(files.path('report.pdf'), opts({ validate: false })));
    expect(e).toMatchObject({ code: 'UnsupportedFileType', status: 400, retryable: false, attempts: 1, errorDetails: { providedType: 'application/octet-stream' } });
    expect(e.txnid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an abort signal stops the work with Aborted', async () => {
    const ac = new AbortController();
    // The reply is held back far longer than any test may take, so only the abort can end the call.
    server.faults.push({ kind: 'slow', delayMs: 60_000 });
    const pending = failure(submitToFinPro(files.path('good.csv'), opts({ signal: ac.signal })));
    // Readiness, not a timer: abort once the server has the whole upload and is holding its reply.
    while (server.received[0]?.file === undefined) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const e = await pending;
    expect(e.code).toBe('Aborted');
    expect(e.exitCode).toBe(130);
    expect(server.received).toHaveLength(1);
  });

  test('bad options are refused at the boundary', async () => {
    expect(await failure(submitToFinPro(files.path('good.csv'), opts({ timeoutMs: 0 })))).toMatchObject({ code: 'InvalidOption' });
    expect(await failure(submitToFinPro(files.path('good.csv'), opts({ retries: -1 })))).toMatchObject({ code: 'InvalidOption' });
  });
});

describe('multipart body', () => {
  async function collect(gen: AsyncGenerator<Buffer>): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const b of gen) parts.push(b);
    return Buffer.concat(parts);
  }

  test('the declared length is the streamed length; names are escaped the browser way', async () => {
    const body = buildMultipart([['reference_id', 'r-12345'], ['global_config', '{"a":1}']], {
      field: 'file',
      path: files.path('good.csv'),
      fileName: 'we"ird\nname.csv',
      contentType: 'text/csv',
      bytes: GOOD_CSV.length,
    });
    const bytes = await collect(body.stream());
    expect(bytes.length).toBe(body.contentLength);
    const text = bytes.toString('utf8');
    expect(text).toContain('filename="we%22ird%0Aname.csv"');
    expect(text).toContain(GOOD_CSV);
    expect(body.contentType).toMatch(/^multipart\/form-data; boundary=----batchprep[0-9a-f]{24}$/);
    // a second stream (a retry) gives the same bytes
    expect((await collect(body.stream())).equals(bytes)).toBe(true);
  });

  test('a file that changed size since it was checked fails with IoError instead of sending a wrong length', async () => {
    const body = buildMultipart([], { field: 'file', path: files.path('good.csv'), fileName: 'good.csv', contentType: 'text/csv', bytes: GOOD_CSV.length + 5 });
    await expect(collect(body.stream())).rejects.toMatchObject({ code: 'IoError', message: expect.stringContaining('changed size') });
  });

  test('the server parses what the client sends, odd file names included', async () => {
    await submitToFinPro(files.path('good.csv'), opts({ fileName: 'my "consents".csv', validate: false }));
    expect(server.received[0]!.file).toMatchObject({ name: 'my %22consents%22.csv', bytes: GOOD_CSV.length, sha256: createHash('sha256').update(GOOD_CSV).digest('hex') });
  });
});
