// known_hosts reading and matching (the policy itself is tested against sshd in
// filex-sftp-host-keys.test.ts); hashed lines come from OpenSSH's own ssh-keygen -H.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkFingerprintPin, checkHostKey, hostFieldMatches, knownHostsName, parseKnownHosts, sha256Fingerprint } from '../../../src/submit/filex/known-hosts.js';

const run = promisify(execFile);

describe('known_hosts', () => {
  let dir: string;
  let ed: { line: string; blob: Buffer };
  let ed2: { line: string; blob: Buffer };
  let ecdsa: { line: string; blob: Buffer };
  const key = async (type: string, name: string) => {
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(dir, name)]);
    const line = (await readFile(join(dir, `${name}.pub`), 'utf8')).split(/\s+/).slice(0, 2).join(' ');
    return { line, blob: Buffer.from(line.split(' ')[1]!, 'base64') };
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kh-'));
    [ed, ed2, ecdsa] = await Promise.all([key('ed25519', 'a'), key('ed25519', 'b'), key('ecdsa', 'c')]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('names: port 22 is the bare host, others [host]:port, lower-cased', () => {
    expect(knownHostsName('SFTP.Example', 22)).toBe('sftp.example');
    expect(knownHostsName('sftp.example', 2222)).toBe('[sftp.example]:2222');
  });

  test('patterns: lists, wildcards, negation, [host]:port', () => {
    expect(hostFieldMatches('a.example,sftp.example', 'sftp.example')).toBe(true);
    expect(hostFieldMatches('*.example', 'sftp.example')).toBe(true);
    expect(hostFieldMatches('*.example,!sftp.example', 'sftp.example')).toBe(false);
    expect(hostFieldMatches('sftp.exampl?', 'sftp.example')).toBe(true);
    expect(hostFieldMatches('[sftp.example]:2222', '[sftp.example]:2222')).toBe(true);
    expect(hostFieldMatches('sftp.example', '[sftp.example]:2222')).toBe(false);
    expect(hostFieldMatches('sftp.example', 'sftp-example')).toBe(false);
  });

  test('hashed entries written by ssh-keygen -H match the host they hash and no other', async () => {
    const file = join(dir, 'hashed');
    await writeFile(file, `sftp.example ${ed.line}\n[sftp.example]:2222 ${ed.line}\n`);
    await run('ssh-keygen', ['-H', '-f', file]);
    const entries = parseKnownHosts(await readFile(file, 'utf8'), file);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, 'sftp.example', 22, ed.blob).status).toBe('known');
    expect(checkHostKey(entries, 'sftp.example', 2222, ed.blob).status).toBe('known');
    expect(checkHostKey(entries, 'other.example', 22, ed.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'sftp.example', 22, ed2.blob).status).toBe('changed');
  });

  test('verdicts: known, changed (same type), unknown with other types on record, revoked anywhere', () => {
    const text = [
      '# comment',
      '',
      `sftp.example ${ed.line} comment`,
      `other.example ${ecdsa.line}`,
      `@cert-authority *.example ${ed2.line}`,
      'garbage line',
      `@revoked * ${ed2.line}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => e.line)).toEqual([3, 4, 7]);
    expect(checkHostKey(entries, 'sftp.example', 22, ed.blob)).toMatchObject({ status: 'known', entry: { line: 3 } });
    expect(checkHostKey(entries, 'sftp.example', 22, ed2.blob).status).toBe('revoked');
    const ecdsaOffered = checkHostKey(entries, 'sftp.example', 22, ecdsa.blob);
    expect(ecdsaOffered).toMatchObject({ status: 'unknown', otherTypes: [{ line: 3 }] });
    expect(checkHostKey(entries, 'other.example', 22, ecdsa.blob).status).toBe('known');
  });

  test('fingerprints and pins', async () => {
    const { stdout } = await run('ssh-keygen', ['-lf', join(dir, 'a.pub')]);
    expect(sha256Fingerprint(ed.blob)).toBe(stdout.split(/\s+/)[1]);
    const fp = sha256Fingerprint(ed.blob);
    expect(checkFingerprintPin(fp)).toBe(fp);
    expect(checkFingerprintPin(` ${fp}= `)).toBe(fp);
    expect(() => checkFingerprintPin('SHA256:abc')).toThrow(/not a SHA256 fingerprint/);
    expect(() => checkFingerprintPin(fp.replace('SHA256:', 'MD5:'))).toThrow(/not a SHA256 fingerprint/);
  });
});
