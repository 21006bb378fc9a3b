// A profile carries fileX's non-secret settings too: `filex ls` reaches the fileX/FIP test
// servers with the base URLs and user name from [profile uat] and the password read from
// FILEX_PASSWORD_FILE, and a password in the profile is refused.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli, startStack, type Stack } from '../submit/filex/filex-helpers.js';

let st: Stack;
let env: Record<string, string>;
beforeAll(async () => {
  st = await startStack();
  await st.fx.seedFile('out', 'Testfile.txt', Buffer.alloc(42, 1), new Date('2025-08-04T11:30:34Z'));
  const config = join(st.dir, 'config');
  await writeFile(
    config,
    `[default]\nfilex_base_url = http://127.0.0.1:9\n\n[profile uat]\nfilex_base_url = ${st.fx.baseUrl}\nfip_token_url = ${st.fx.tokenUrl}\nfilex_username = ${st.fx.username}\n`,
  );
  await writeFile(join(st.dir, 'password'), `${st.fx.password}\n`);
  await writeFile(join(st.dir, 'leaky'), `[profile uat]\nfilex_password = ${st.fx.password}\n`);
  env = { PATH: process.env.PATH ?? '', HOME: st.dir, BATCHPREP_CONFIG_FILE: config, FILEX_PASSWORD_FILE: join(st.dir, 'password') };
});
afterAll(async () => {
  await st?.close();
});

test('filex ls --profile uat: endpoints and user from the profile, password from FILEX_PASSWORD_FILE', async () => {
  const r = await runCli(['filex', 'ls', '0001/app1/out', '--json', '--profile', 'uat'], env);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).children.map((c: { name: string }) => c.name)).toEqual(['Testfile.txt']);
  expect(r.stderr + r.stdout).not.toContain(st.fx.password);
});

test('without the profile, [default] points elsewhere and the same command cannot connect', async () => {
  const r = await runCli(['filex', 'ls', '0001/app1/out', '--retries', '0'], { ...env, FILEX_USERNAME: st.fx.username, FIP_TOKEN_URL: st.fx.tokenUrl });
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/127\.0\.0\.1:9/);
});

test('FILEX_PASSWORD in a profile is SecretInConfig (exit 2), the password never printed', async () => {
  const r = await runCli(['filex', 'ls', '0001/app1/out', '--profile', 'uat'], { ...env, BATCHPREP_CONFIG_FILE: join(st.dir, 'leaky') });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/SecretInConfig: .*leaky:2: 'filex_password' in \[profile uat\] holds a secret/);
  expect(r.stderr).not.toContain(st.fx.password);
});
