import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseMeta } from '../../../src/cli/commands/filex-upload.js';
import { parseSize } from '../../../src/cli/commands/filex-common.js';
import type { S3TransferTokens } from '../../../src/submit/filex/client.js';
import { checkFileName, parseFilexPath } from '../../../src/submit/filex/names.js';
import { resolveS3Target } from '../../../src/submit/filex/transports/s3-common.js';
import { joinUrl } from '../../../src/submit/http/endpoint.js';

describe('fileX paths and names', () => {
  test('org/app/space/file parse with the guide\'s rules', () => {
    expect(parseFilexPath('0001/app1/in/report.zip', 4, 4, 'x')).toEqual({ org: '0001', app: 'app1', space: 'in', name: 'report.zip' });
    expect(parseFilexPath('/0001/app1/in_arcv/', 3, 3, 'x')).toEqual({ org: '0001', app: 'app1', space: 'in_arcv', name: undefined });
    for (const bad of ['abc/app1/in', '0001/app_1/in', '0001/app1/in/a b', '0001//in', '0001/app1/in/..']) {
      expect(() => parseFilexPath(bad, 3, 4, 'x'), bad).toThrow(expect.objectContaining({ code: expect.stringMatching(/UsageError|InvalidFileName/) }));
    }
  });

  test('every name accepted by checkFileName survives URL encoding as one path segment', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9!@,&\-='.]{1,30}$/), (name) => {
        if (name === '.' || name === '..') return;
        expect(checkFileName(name)).toBe(name);
        const url = joinUrl(new URL('https://filex.example/'), 'files', '0001', 'app1', 'in', name);
        const segs = url.pathname.split('/');
        expect(segs).toHaveLength(6);
        expect(decodeURIComponent(segs[5]!)).toBe(name);
      }),
    );
  });

  test('the S3 target comes from the write path that ends in the space', () => {
    const tokens = {
      region: 'us-east-1',
      readPaths: ['1422-filex-qa/7777/app1/in_arcv/', '1422-filex-qa/7777/app1/out/'],
      writePaths: ['1422-filex-qa/7777/app1/in/'],
      credentials: { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c', expiration: '' },
    } as S3TransferTokens;
    expect(resolveS3Target(tokens, { org: '7777', app: 'app1', space: 'in', name: 'f.zip' })).toEqual({ bucket: '1422-filex-qa', key: '7777/app1/in/f.zip', region: 'us-east-1' });
    expect(resolveS3Target(tokens, { org: '7777', app: 'app1', space: 'out', name: 'f.zip' }, 'read').key).toBe('7777/app1/out/f.zip');
    expect(() => resolveS3Target(tokens, { org: '7777', app: 'app1', space: 'out', name: 'f.zip' })).toThrow(expect.objectContaining({ code: 'SpaceNotWritable' }));
  });

  test('--meta and --part-size parsing', () => {
    expect(parseMeta(['InternalReference=ABC-1', 'x=a=b'])).toEqual({ InternalReference: 'ABC-1', x: 'a=b' });
    expect(() => parseMeta(['novalue'])).toThrow(expect.objectContaining({ code: 'InvalidOption' }));
    expect(() => parseMeta(['k=a b'])).toThrow(expect.objectContaining({ code: 'InvalidOption' }));
    expect(parseSize('8MiB', '--part-size')).toBe(8 * 1024 * 1024);
    expect(parseSize('5242880', '--part-size')).toBe(5242880);
    expect(parseSize('1.5G', '--part-size')).toBe(1.5 * 1024 ** 3);
    expect(() => parseSize('lots', '--part-size')).toThrow(expect.objectContaining({ code: 'UsageError' }));
  });
});
