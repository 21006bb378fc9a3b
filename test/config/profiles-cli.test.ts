// Profiles and secret files through the built CLI against two FinPro test servers: "prod" with
// batchprep's defaults and "uat" with another URL path, header names and file field, so a
// batch lands only where, and only when, the chosen profile's settings are right.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startFinProServer, TEST_CREDENTIALS, type FinProServer } from '../servers/finpro-server.js';
import { finproEnv, GOOD_CSV, runCli, tempFiles } from '../submit/finpro/finpro-helpers.js';

const UAT = {
  uploadPath: '/partner/api/v2/consent-batches',
  headerNames: { clientId: 'X-FinPro-Client', clientSecret: 'X-FinPro-Secret', appId: 'X-FinPro-App', orgId: 'X-FinPro-Org' },
  fileField: 'consents',
};

let prod: FinProServer;
let uat: FinProServer;
let files: Awaited<ReturnType<typeof tempFiles>>;
let config: string;

/** The README's example, pointed at the two test servers. */
function configText(): string {
  return [
    '# batchprep profiles: non-secret settings only',
    '[default]',
    `finpro_base_url = ${prod.url}`,
    '',
    '[profile uat]',
    `finpro_upload_url = ${uat.url}${UAT.uploadPath}`,
    `finpro_header_client_id = ${UAT.headerNames.clientId}`,
    `finpro_header_client_secret = ${UAT.headerNames.clientSecret}`,
    `finpro_header_app_id = ${UAT.headerNames.appId}`,
    `finpro_header_org_id = ${UAT.headerNames.orgId}`,
    `finpro_file_field = ${UAT.fileField}`,
    'filex_sftp_host = sftp-uat.example',
    'filex_sftp_port = 2222',
    '',
  ].join('\n');
}

beforeAll(async () => {
  prod = await startFinProServer();
  uat = await startFinProServer(UAT);
  files = await tempFiles({ 'good.csv': GOOD_CSV, 'secret.txt': `${TEST_CREDENTIALS.clientSecret}\n`, 'secret-crlf.txt': `${TEST_CREDENTIALS.clientSecret}\r\n`, 'empty.txt': '\n' });
  config = files.path('config');
  await writeFile(config, configText());
});
afterAll(async () => {
  await Promise.all([prod.close(), uat.close()]);
  await files.cleanup();
});
beforeEach(() => {
  prod.reset();
  uat.reset();
});

/** Credentials in the environment, no endpoint: the endpoint must come from the profile. */
function env(extra: Record<string, string | undefined> = {}) {
  return finproEnv('unused', { FINPRO_BASE_URL: undefined, HOME: files.dir, BATCHPREP_CONFIG_FILE: config, ...extra });
}

const submit = (extraEnv: Record<string, string | undefined> = {}, args: string[] = []) =>
  runCli(['finpro', 'submit', files.path('good.csv'), '--retries', '0', ...args], env(extraEnv));

/** Writes another config file and returns its path. */
async function otherConfig(name: string, text: string): Promise<string> {
  const path = files.path(name);
  await writeFile(path, text);
  return path;
}

describe('choosing a profile', () => {
  test('no profile chosen: [default] applies', async () => {
    const r = await submit({}, ['--reference-id', 'prof-default-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(prod.batches.has('prof-default-1')).toBe(true);
    expect(uat.received).toHaveLength(0);
  });

  test('--profile uat: URL, header names and file field all come from [profile uat]', async () => {
    const r = await submit({}, ['--profile', 'uat', '--reference-id', 'prof-uat-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(uat.batches.has('prof-uat-1')).toBe(true);
    expect(uat.received[0]!.headers['x-finpro-secret']).toBe(TEST_CREDENTIALS.clientSecret);
    expect(prod.received).toHaveLength(0);
  });

  test('BATCHPREP_PROFILE chooses too, and --profile wins over it', async () => {
    const byEnv = await submit({ BATCHPREP_PROFILE: 'uat' }, ['--reference-id', 'prof-uat-2']);
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(uat.batches.has('prof-uat-2')).toBe(true);
    const byFlag = await submit({ BATCHPREP_PROFILE: 'no-such-profile' }, ['--profile', 'uat', '--reference-id', 'prof-uat-3']);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(uat.batches.has('prof-uat-3')).toBe(true);
  });

  test('precedence: the environment beats the profile, a flag beats the environment', async () => {
    // FINPRO_FILE_FIELD=file from the environment overrides the profile's 'consents': the uat server finds no file.
    const envWins = await submit({ FINPRO_FILE_FIELD: 'file' }, ['--profile', 'uat']);
    expect(envWins.code).toBe(1);
    expect(envWins.stderr).toMatch(/the file field 'consents' is required/);
    // FINPRO_BASE_URL in the environment beats the profile's FINPRO_UPLOAD_URL (one setting written two ways).
    uat.reset();
    const baseWins = await submit({ FINPRO_BASE_URL: prod.url }, ['--profile', 'uat', '--reference-id', 'prof-env-1']);
    expect(baseWins.code, baseWins.stderr).toBe(4); // prod expects the default header names, the profile's are uat's
    expect(prod.received).toHaveLength(1);
    expect(uat.received).toHaveLength(0);
    // --endpoint beats FINPRO_BASE_URL from the environment, which beats [default].
    const flagWins = await submit({ FINPRO_BASE_URL: 'http://127.0.0.1:9' }, ['--endpoint', prod.url, '--reference-id', 'prof-flag-1']);
    expect(flagWins.code, flagWins.stderr).toBe(0);
    expect(prod.batches.has('prof-flag-1')).toBe(true);
  });

  test('the file is found at $XDG_CONFIG_HOME/batchprep/config, else ~/.config/batchprep/config', async () => {
    for (const base of [join(files.dir, 'xdg'), join(files.dir, 'home', '.config')]) {
      await mkdir(join(base, 'batchprep'), { recursive: true });
      await writeFile(join(base, 'batchprep', 'config'), configText());
    }
    const xdg = await submit({ BATCHPREP_CONFIG_FILE: undefined, XDG_CONFIG_HOME: join(files.dir, 'xdg'), HOME: join(files.dir, 'home') }, ['--profile', 'uat', '--reference-id', 'prof-xdg-1']);
    expect(xdg.code, xdg.stderr).toBe(0);
    expect(uat.batches.has('prof-xdg-1')).toBe(true);
    const home = await submit({ BATCHPREP_CONFIG_FILE: undefined, XDG_CONFIG_HOME: undefined, HOME: join(files.dir, 'home') }, ['--profile', 'uat', '--reference-id', 'prof-home-1']);
    expect(home.code, home.stderr).toBe(0);
    expect(uat.batches.has('prof-home-1')).toBe(true);
  });

  test('--help of every command mentions --profile and the config file', async () => {
    const top = await runCli(['--help'], env());
    expect(top.stdout).toMatch(/--profile/);
    expect(top.stdout).toMatch(/BATCHPREP_CONFIG_FILE/);
    const sub = await runCli(['finpro', 'submit', '--help'], env());
    expect(sub.stdout).toMatch(/--profile/);
    expect(sub.stdout).toMatch(/FINPRO_UPLOAD_URL/);
    expect(sub.stdout).toMatch(/FINPRO_CLIENT_SECRET_FILE/);
  });
});

describe('refusals (exit 2, nothing sent)', () => {
  test('an unknown profile names the file and the profiles it has', async () => {
    const r = await submit({}, ['--profile', 'staging']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`batchprep: ProfileNotFound: ${config}: no profile 'staging' (from --profile); the file has [default], [profile uat]. Add [profile staging] or pick one of those\n`);
    const missing = await submit({ BATCHPREP_CONFIG_FILE: files.path('nope.ini') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FileNotFound: .*nope\.ini: no such file/);
    // A profile asked for while no config file exists at the default place.
    const none = await submit({ BATCHPREP_CONFIG_FILE: undefined, XDG_CONFIG_HOME: undefined, HOME: join(files.dir, 'empty-home') }, ['--profile', 'uat']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/FileNotFound: .*empty-home\/\.config\/batchprep\/config: no such file/);
    expect(prod.received.length + uat.received.length).toBe(0);
  });

  test('a malformed file or an unknown key names file and line', async () => {
    const bad = await otherConfig('bad.ini', `[default]\nfinpro_base_url = ${prod.url}\nfinpro_file_field consents\n`);
    const r = await submit({ BATCHPREP_CONFIG_FILE: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`batchprep: InvalidConfig: ${bad}:3: 'finpro_file_field consents' is not 'key = value', a [section] or a comment\n`);
    const unknown = await otherConfig('unknown.ini', `[default]\nfinpro_base_url = ${prod.url}\nregion = eu-west-1\n`);
    const u = await submit({ BATCHPREP_CONFIG_FILE: unknown });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(new RegExp(`InvalidConfig: ${unknown}:3: 'region' in \\[default\\] is not a batchprep setting`));
    expect(prod.received).toHaveLength(0);
  });

  test('a secret in any profile is refused with SecretInConfig, and its value is never printed', async () => {
    const leaky = await otherConfig(
      'leaky.ini',
      `[default]\nfinpro_base_url = ${prod.url}\n[profile prod]\nfinpro_client_secret = ${TEST_CREDENTIALS.clientSecret}\n`,
    );
    const r = await submit({ BATCHPREP_CONFIG_FILE: leaky });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`SecretInConfig: ${leaky}:4: 'finpro_client_secret' in \\[profile prod\\] holds a secret.*export FINPRO_CLIENT_SECRET, or FINPRO_CLIENT_SECRET_FILE`));
    expect(r.stderr + r.stdout).not.toContain(TEST_CREDENTIALS.clientSecret);
    for (const line of ['filex_password = hunter2hunter2', 'filex_sftp_key_passphrase = pp-123456', 'https_proxy = http://me:pw123456@proxy.example:3128']) {
      const other = await otherConfig('leaky2.ini', `[default]\n${line}\n`);
      const o = await submit({ BATCHPREP_CONFIG_FILE: other });
      expect(o.code, line).toBe(2);
      expect(o.stderr, line).toMatch(/SecretInConfig: .*leaky2\.ini:2: /);
    }
    expect(prod.received).toHaveLength(0);
  });

  test('a usage error stops before the config file is read', async () => {
    const bad = await otherConfig('bad2.ini', '[default\n');
    const r = await submit({ BATCHPREP_CONFIG_FILE: bad }, ['--bogus-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UsageError: unknown option --bogus-flag/);
  });
});

describe('secret files (*_FILE)', () => {
  test('FINPRO_CLIENT_SECRET_FILE: the trailing newline (LF or CRLF) is trimmed and the secret sent as is', async () => {
    for (const [name, ref] of [['secret.txt', 'sec-file-1'], ['secret-crlf.txt', 'sec-file-2']] as const) {
      const r = await submit({ FINPRO_CLIENT_SECRET: undefined, FINPRO_CLIENT_SECRET_FILE: files.path(name) }, ['--reference-id', ref]);
      expect(r.code, r.stderr).toBe(0);
      expect(prod.batches.has(ref)).toBe(true);
      expect(prod.received.at(-1)!.headers.client_secret).toBe(TEST_CREDENTIALS.clientSecret);
    }
  });

  test('a profile may hold the client, app and org IDs and name the secret file; FINPRO_CLIENT_SECRET in the environment wins over it', async () => {
    const withFile = await otherConfig(
      'with-file.ini',
      `[profile p]\nfinpro_base_url = ${prod.url}\nfinpro_client_id = ${TEST_CREDENTIALS.clientId}\nfinpro_app_id = ${TEST_CREDENTIALS.appId}\nfinpro_org_id = ${TEST_CREDENTIALS.orgId}\nfinpro_client_secret_file = ${files.path('secret.txt')}\n`,
    );
    const noIds = { FINPRO_CLIENT_ID: undefined, FINPRO_APP_ID: undefined, FINPRO_ORG_ID: undefined };
    const ok = await submit({ ...noIds, BATCHPREP_CONFIG_FILE: withFile, FINPRO_CLIENT_SECRET: undefined }, ['--profile', 'p', '--reference-id', 'sec-file-3']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(prod.batches.has('sec-file-3')).toBe(true);
    const envWins = await submit({ ...noIds, BATCHPREP_CONFIG_FILE: withFile, FINPRO_CLIENT_SECRET: 'a-wrong-secret-value' }, ['--profile', 'p']);
    expect(envWins.code).toBe(4);
    expect(envWins.stderr).not.toContain('a-wrong-secret-value');
  });

  test('X and X_FILE together, an empty file, a missing file: exit 2, nothing sent, no secret printed', async () => {
    const both = await submit({ FINPRO_CLIENT_SECRET_FILE: files.path('secret.txt') });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('batchprep: UsageError: both FINPRO_CLIENT_SECRET and FINPRO_CLIENT_SECRET_FILE are set; set only one (FINPRO_CLIENT_SECRET_FILE names a file holding FINPRO_CLIENT_SECRET)\n');
    const empty = await submit({ FINPRO_CLIENT_SECRET: undefined, FINPRO_CLIENT_SECRET_FILE: files.path('empty.txt') });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/MissingCredential: FINPRO_CLIENT_SECRET_FILE: .*empty\.txt is empty/);
    const missing = await submit({ FILEX_PASSWORD_FILE: files.path('no-such-secret') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FileNotFound: FILEX_PASSWORD_FILE: .*no-such-secret: no such file/);
    expect(both.stderr + empty.stderr + missing.stderr).not.toContain(TEST_CREDENTIALS.clientSecret);
    expect(prod.received).toHaveLength(0);
  });

  test('a secret read from a file is redacted from server messages like one from the environment', async () => {
    prod.faults.push({ kind: 'garbage', status: 400, body: JSON.stringify({ errorCode: 'EchoedSecret', errorMsg: `bad secret ${TEST_CREDENTIALS.clientSecret}` }) });
    const r = await submit({ FINPRO_CLIENT_SECRET: undefined, FINPRO_CLIENT_SECRET_FILE: files.path('secret.txt') }, ['--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EchoedSecret: bad secret \*\*\*/);
    expect(r.stderr + r.stdout).not.toContain(TEST_CREDENTIALS.clientSecret);
  });
});
