// The config file: where it is looked for, how it reads, and that every mistake names its line.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { configFilePath, parseConfig } from '../../src/config/config-file.js';
import { applyProfile } from '../../src/config/profile.js';
import { isProfileSetting, isSecretSetting, secretOfFileSetting } from '../../src/config/setting-names.js';
import type { BatchprepError } from '../../src/errors.js';

function parseError(text: string): BatchprepError {
  try {
    parseConfig(text, '/etc/bp/config');
  } catch (err) {
    return err as BatchprepError;
  }
  throw new Error('expected a parse error');
}

describe('location (aws-cli / rclone conventions)', () => {
  test('$BATCHPREP_CONFIG_FILE (relative to the working directory), else $XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configFilePath({ BATCHPREP_CONFIG_FILE: 'my.ini', XDG_CONFIG_HOME: '/x', HOME: '/h' }, '/work')).toEqual({ path: '/work/my.ini', explicit: true });
    expect(configFilePath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }, '/work')).toEqual({ path: join('/x', 'batchprep', 'config'), explicit: false });
    expect(configFilePath({ HOME: '/h' }, '/work')).toEqual({ path: join('/h', '.config', 'batchprep', 'config'), explicit: false });
    // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
    expect(configFilePath({ XDG_CONFIG_HOME: 'rel', HOME: '/h' }, '/work').path).toBe(join('/h', '.config', 'batchprep', 'config'));
  });
});

describe('format', () => {
  test('[default] and [profile NAME] sections, key = value, comments and blank lines', () => {
    const file = parseConfig(
      '\uFEFF# batchprep settings\r\n[default]\r\nfinpro_base_url = https://uat.example\r\n\r\n; production\r\n[ profile prod ]\r\nFINPRO_BASE_URL=https://api.example/x=y\r\nfilex_sftp_port =\r\n',
      '/c',
    );
    expect([...file.sections.keys()]).toEqual(['default', 'prod']);
    expect(file.sections.get('default')!.entries.get('finpro_base_url')).toEqual({ value: 'https://uat.example', line: 3 });
    // Keys are case-insensitive (stored lower-case); a value keeps everything after the first '='.
    expect(file.sections.get('prod')!.entries.get('finpro_base_url')).toEqual({ value: 'https://api.example/x=y', line: 7 });
    expect(file.sections.get('prod')!.entries.get('filex_sftp_port')).toEqual({ value: '', line: 8 });
  });

  test.each([
    ['[default]\nfinpro_base_url https://x\n', 2, /is not 'key = value'/],
    ['finpro_base_url = https://x\n[default]\n', 1, /comes before any section/],
    ['[uat]\n', 1, /write \[default\] or \[profile NAME\]/],
    ['[profile]\n', 1, /write \[default\] or \[profile NAME\]/],
    ['[profile a b]\n', 1, /write \[default\] or \[profile NAME\]/],
    ['[default\n', 1, /is not a section header/],
    ['[default]\n\n[profile x]\n[profile x]\n', 4, /profile 'x' is defined twice \(first at line 3\)/],
    ['[default]\na_b = 1\nA_B = 2\n', 3, /'a_b' is set twice in \[default\] \(first at line 2\)/],
    ['[default]\nfinpro-base-url = x\n', 2, /is not a setting name/],
  ])('%j fails at line %i', (text, line, why) => {
    const err = parseError(text);
    expect(err.code).toBe('InvalidConfig');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^/etc/bp/config:${line}: `));
    expect(err.message).toMatch(why);
  });
});

describe('setting names', () => {
  test('secrets: the known ones and names ending like one; header names and *_FILE paths are not secrets', () => {
    for (const s of ['FINPRO_CLIENT_SECRET', 'FILEX_PASSWORD', 'FILEX_SFTP_PASSWORD', 'FILEX_SFTP_KEY_PASSPHRASE', 'FILEX_API_TOKEN', 'finpro_client_secret', 'FILEX_S3_SECRET_KEY']) {
      expect(isSecretSetting(s), s).toBe(true);
    }
    for (const s of ['FINPRO_HEADER_CLIENT_SECRET', 'FIP_TOKEN_URL', 'FINPRO_CLIENT_ID', 'FILEX_USERNAME', 'FILEX_SFTP_KEY_FILE', 'FINPRO_CLIENT_SECRET_FILE', 'FILEX_SFTP_HOST_FINGERPRINT']) {
      expect(isSecretSetting(s), s).toBe(false);
    }
    expect(secretOfFileSetting('FINPRO_CLIENT_SECRET_FILE')).toBe('FINPRO_CLIENT_SECRET');
    expect(secretOfFileSetting('FILEX_PASSWORD_FILE')).toBe('FILEX_PASSWORD');
    expect(secretOfFileSetting('FILEX_SFTP_KEY_FILE')).toBeUndefined();
  });

  test('profile keys: FINPRO_*, FILEX_*, FIP_* and the proxy variables', () => {
    for (const s of ['finpro_base_url', 'FILEX_SFTP_HOST', 'fip_token_url', 'https_proxy', 'no_proxy']) expect(isProfileSetting(s), s).toBe(true);
    for (const s of ['home', 'path', 'batchprep_profile', 'finpro_', 'aws_region', 'node_options']) expect(isProfileSetting(s), s).toBe(false);
  });
});

describe('the README example', () => {
  test("the README's config file parses and holds no secret", async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Profiles and secrets'));
    const ini = /```ini\n([\s\S]*?)```/.exec(section)![1]!;
    const dir = await mkdtemp(join(tmpdir(), 'readme-config-'));
    try {
      await writeFile(join(dir, 'config'), ini);
      const applied = await applyProfile({ BATCHPREP_CONFIG_FILE: join(dir, 'config') }, { profile: 'uat', cwd: dir });
      expect(applied).toMatchObject({ FINPRO_CLIENT_ID: 'acme-uat', FINPRO_CLIENT_SECRET_FILE: '/run/secrets/finpro-uat', FILEX_SFTP_PORT: '22' });
      const prod = await applyProfile({ BATCHPREP_CONFIG_FILE: join(dir, 'config') }, { profile: 'production', cwd: dir });
      expect(prod.FINPRO_BASE_URL).toBe('https://api.finpro.example');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
