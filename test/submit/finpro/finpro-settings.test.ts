// The details the FinPro document leaves open (upload URL, the four header names, the file
// field) are settings: a test server configured with other values than batchprep's defaults
// accepts an upload only when the client is told the same values, through the CLI's
// environment and through the library options.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { BatchprepError } from '../../../src/errors.js';
import { submitToFinPro, type SubmitToFinProOptions } from '../../../src/submit/finpro/client.js';
import { submitManifest } from '../../../src/submit/finpro/manifest-submit.js';
import { DEFAULT_HEADER_NAMES, finProProtocolFromEnv, resolveFinproOptions } from '../../../src/submit/finpro/settings.js';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, runCli, tempFiles } from './finpro-helpers.js';

/** A non-default set, unlike any default in every detail. */
const CUSTOM = {
  uploadPath: '/partner/api/v2/consent-batches',
  headerNames: { clientId: 'X-FinPro-Client', clientSecret: 'X-FinPro-Secret', appId: 'X-FinPro-App', orgId: 'X-FinPro-Org' },
  fileField: 'consents',
};

let custom: FinProServer;
let files: Awaited<ReturnType<typeof tempFiles>>;
beforeAll(async () => {
  custom = await startFinProServer(CUSTOM);
  files = await tempFiles({ 'good.csv': GOOD_CSV });
});
afterAll(async () => {
  await custom.close();
  await files.cleanup();
});
beforeEach(() => custom.reset());

/** The environment that tells the CLI the custom set. */
function customEnv(extra: Record<string, string | undefined> = {}) {
  return finproEnv(custom.url, {
    FINPRO_BASE_URL: undefined,
    FINPRO_UPLOAD_URL: `${custom.url}${CUSTOM.uploadPath}`,
    FINPRO_HEADER_CLIENT_ID: CUSTOM.headerNames.clientId,
    FINPRO_HEADER_CLIENT_SECRET: CUSTOM.headerNames.clientSecret,
    FINPRO_HEADER_APP_ID: CUSTOM.headerNames.appId,
    FINPRO_HEADER_ORG_ID: CUSTOM.headerNames.orgId,
    FINPRO_FILE_FIELD: CUSTOM.fileField,
    ...extra,
  });
}

const submit = (env: Record<string, string | undefined>, extra: string[] = []) => runCli(['finpro', 'submit', files.path('good.csv'), '--retries', '0', ...extra], env);

describe('CLI: a non-default set end to end', () => {
  test('FINPRO_UPLOAD_URL, FINPRO_HEADER_* and FINPRO_FILE_FIELD reach a server that expects them', async () => {
    const r = await submit(customEnv(), ['--json', '--reference-id', 'custom-set-1']);
    expect(r.stderr).toMatch(/^finpro: submitted .* as custom-set-1: batch /);
    expect(r.code).toBe(0);
    expect(custom.batches.get('custom-set-1')).toMatchObject({ rows: 3 });
    const seen = custom.received[0]!;
    expect(seen.path).toBe(CUSTOM.uploadPath);
    expect(seen.headers['x-finpro-client']).toBe(TEST_CREDENTIALS.clientId);
    expect(seen.headers['x-finpro-secret']).toBe(TEST_CREDENTIALS.clientSecret);
    expect(seen.headers['x-finpro-app']).toBe(TEST_CREDENTIALS.appId);
    expect(seen.headers['x-finpro-org']).toBe(TEST_CREDENTIALS.orgId);
    for (const name of Object.values(DEFAULT_HEADER_NAMES)) expect(seen.headers[name.toLowerCase()]).toBeUndefined();
    expect(seen.file).toMatchObject({ field: 'consents', name: 'good.csv', bytes: GOOD_CSV.length });
  });

  test('each setting matters: the server refuses the defaults, one detail at a time', async () => {
    // The default path: 404, reported as a wrong URL (exit 3), not as a rejected file.
    const path = await submit(customEnv({ FINPRO_UPLOAD_URL: undefined, FINPRO_BASE_URL: custom.url }));
    expect(path.code).toBe(3);
    expect(path.stderr).toMatch(/UnexpectedResponse: FinPro answered 404 .*no upload endpoint at this URL; check FINPRO_UPLOAD_URL/);
    // The default name of one header: 401, and the message points at the header names.
    const header = await submit(customEnv({ FINPRO_HEADER_ORG_ID: undefined }));
    expect(header.code).toBe(4);
    expect(header.stderr).toMatch(/Unauthorized: .*missing authentication header X-FinPro-Org.*FINPRO_HEADER_\*/);
    // The default file field: the server finds no file.
    const field = await submit(customEnv({ FINPRO_FILE_FIELD: undefined }));
    expect(field.code).toBe(1);
    expect(field.stderr).toMatch(/InvalidRequest: the file field 'consents' is required/);
    expect(custom.batches.size).toBe(0);
  });

  test('a prepare output DIR goes part by part to the same non-default set', async () => {
    const out = files.path('parts');
    const prep = await runCli(['prepare', files.path('good.csv'), '--out-dir', out, '--reference-id', 'custom-parts', '--max-rows', '2'], customEnv());
    expect(prep.code, prep.stderr).toBe(0);
    const r = await runCli(['finpro', 'submit', out, '--retries', '0'], customEnv());
    expect(r.code, r.stderr).toBe(0);
    expect(custom.batches.size).toBe(2);
    expect(custom.received.map((u) => [u.path, u.file?.field])).toEqual([
      [CUSTOM.uploadPath, 'consents'],
      [CUSTOM.uploadPath, 'consents'],
    ]);
  });

  test('FINPRO_UPLOAD_URL wins over FINPRO_BASE_URL; with --endpoint it is a usage error and nothing is sent', async () => {
    const both = await submit(customEnv({ FINPRO_BASE_URL: 'http://127.0.0.1:9' }), ['--reference-id', 'custom-set-2']);
    expect(both.code).toBe(0);
    expect(custom.batches.has('custom-set-2')).toBe(true);
    const clash = await submit(customEnv(), ['--endpoint', custom.url]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/UsageError: --endpoint sets the base URL, but FINPRO_UPLOAD_URL .* is set too/);
    expect(custom.received).toHaveLength(1);
  });

  test('a bad setting is a coded usage error before any request', async () => {
    for (const [env, pattern] of [
      [{ FINPRO_HEADER_APP_ID: 'X App' }, /InvalidOption: FINPRO_HEADER_APP_ID 'X App' is not a valid HTTP header name/],
      [{ FINPRO_HEADER_APP_ID: 'x-finpro-client' }, /InvalidOption: FINPRO_HEADER_APP_ID and FINPRO_HEADER_CLIENT_ID name the same header/],
      [{ FINPRO_FILE_FIELD: 'reference_id' }, /InvalidOption: FINPRO_FILE_FIELD 'reference_id' cannot name the file field/],
      [{ FINPRO_UPLOAD_URL: 'http://finpro.example/upload' }, /InsecureEndpoint: FinPro upload URL \(FINPRO_UPLOAD_URL\)/],
    ] as const) {
      const r = await submit(customEnv(env));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
    expect(custom.received).toHaveLength(0);
  });
});

describe('library options', () => {
  const opts = (extra: Partial<SubmitToFinProOptions> = {}): SubmitToFinProOptions => ({
    uploadUrl: `${custom.url}${CUSTOM.uploadPath}`,
    headerNames: CUSTOM.headerNames,
    fileField: CUSTOM.fileField,
    credentials: TEST_CREDENTIALS,
    retries: 0,
    ...extra,
  });

  test('uploadUrl, headerNames and fileField are what submitToFinPro sends', async () => {
    const r = await submitToFinPro(files.path('good.csv'), opts({ referenceId: 'lib-custom-1' }));
    expect(r).toMatchObject({ referenceId: 'lib-custom-1', status: 'FILE_UPLOADED', attempts: 1 });
    expect(custom.received[0]!.file?.field).toBe('consents');
  });

  test('without uploadUrl the URL is baseUrl + the default path', () => {
    const resolved = resolveFinproOptions({ baseUrl: 'https://api.finpro.example/root/' });
    expect(resolved.url.href).toBe('https://api.finpro.example/root/fi/requests/schedule/upload/v3');
    expect(resolved.headerNames).toEqual(DEFAULT_HEADER_NAMES);
    expect(resolved.fileField).toBe('file');
  });

  test('no endpoint at all is MissingCredential, before any request', async () => {
    const err = (await submitToFinPro(files.path('good.csv'), opts({ uploadUrl: undefined })).catch((e: unknown) => e)) as BatchprepError;
    expect(err.code).toBe('MissingCredential');
    expect(custom.received).toHaveLength(0);
  });

  test('finProProtocolFromEnv reads the variables; unset or empty ones keep the defaults', () => {
    expect(finProProtocolFromEnv({ FINPRO_BASE_URL: 'https://b.example', FINPRO_HEADER_ORG_ID: 'X-Org', FINPRO_FILE_FIELD: ' ', FINPRO_UPLOAD_URL: '' })).toEqual({
      baseUrl: 'https://b.example',
      uploadUrl: undefined,
      headerNames: { orgId: 'X-Org' },
      fileField: undefined,
    });
  });
});

test('submitManifest resolves the settings once, before reading anything: a bad one throws, it is not a failed part', async () => {
  const err = (await submitManifest('/no/such/dir', { baseUrl: custom.url, credentials: TEST_CREDENTIALS, fileField: 'global_config' }).catch((e: unknown) => e)) as BatchprepError;
  expect(err.code).toBe('InvalidOption');
  expect(err.message).toMatch(/FINPRO_FILE_FIELD 'global_config'/);
});
