import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { HEADER, U1, check, toBytes } from '../../helpers/validate.js';
import { validateRows, validateStream } from '../../../src/validate/faces.js';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe('abort', () => {
  it('an already aborted signal rejects with code Aborted', async () => {
    const signal = AbortSignal.abort();
    expect(await codeOf(check(`${HEADER}\n${U1},,,\n`, { signal }))).toBe('Aborted');
  });

  it('aborting mid-stream rejects with Aborted (the source never ends)', async () => {
    const controller = new AbortController();
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield toBytes(`${HEADER}\n`);
      let i = 0;
      for (;;) {
        yield toBytes(`${U1.slice(0, 24)}${(i++).toString(16).padStart(12, '0')},,,\n`);
        if (i === 50) controller.abort();
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    // A hang fails through the test timeout; no timer decides the verdict.
    expect(await codeOf(validateStream(endless(), { signal: controller.signal }))).toBe('Aborted');
  });

  it('aborting while the source is silent rejects with Aborted (no next chunk needed)', async () => {
    const controller = new AbortController();
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    let parked!: () => void;
    const waiting = new Promise<void>((r) => (parked = r));
    async function* silent(): AsyncGenerator<Uint8Array> {
      yield toBytes(`${HEADER}\n${U1},,,\n`);
      parked(); // the engine has the first chunk and waits for the next one
      await never; // like stdin that nobody writes to
    }
    const result = codeOf(validateStream(silent(), { signal: controller.signal }));
    await waiting;
    controller.abort();
    // A hang fails through the test timeout; no timer decides the verdict.
    expect(await result).toBe('Aborted');
    release();
  });

  it('validateRows throws Aborted while iterating', async () => {
    const controller = new AbortController();
    const rows = Array.from({ length: 200 }, (_, i) => `${U1.slice(0, 24)}${i.toString(16).padStart(12, '0')},,,`).join('\n');
    const gen = validateRows(Readable.from([toBytes(`${HEADER}\n${rows}\n`)]), { signal: controller.signal });
    let seen = 0;
    const code = await codeOf(
      (async () => {
        for await (const _row of gen) {
          seen++;
          if (seen === 3) controller.abort();
        }
      })(),
    );
    expect(code).toBe('Aborted');
    expect(seen).toBeLessThan(200);
  });
});
