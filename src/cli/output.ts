import type { Writable } from 'node:stream';
import { redact } from '../redact.js';

const WRAPPED = Symbol.for('batchprep.redacting');

/**
 * The one redaction point of the CLI: every string written to this stream (text lines,
 * `--json`, every report, `--debug` stacks, strings a server sent) passes through `redact`
 * on its way out, whoever wrote it. The stream's own `write` is replaced, so pipes into it
 * go through too. Bytes (Buffers) pass unchanged: they are file contents (`filex download
 * -o -`), which must arrive exactly as stored.
 */
export function redacting<T extends Writable>(stream: T): T {
  const s = stream as T & { [WRAPPED]?: boolean };
  if (s[WRAPPED]) return stream;
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  s.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? redact(chunk) : chunk, ...rest)) as T['write'];
  s[WRAPPED] = true;
  return stream;
}
