#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MB young generation (V8 default 16 MB) keeps peak RSS of a streaming validate under
// 100 MB; prepare, which holds a chunk of rows at a time, still has room (benchmarks/).
import { main } from './main.js';
import type { CliContext } from './context.js';

// The only place that knows about `process`: build the context, wire Ctrl-C, set the exit code.
// The AWS SDK versions in package.json are pinned to ones that support Node 20; their notice
// about future releases needing Node 22 is not for the users of this CLI (it is in the README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  controller.abort(new Error('interrupted (SIGINT)'));
});
process.on('SIGTERM', () => controller.abort(new Error('terminated (SIGTERM)')));
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // A closed pipe (`batchprep ... | head`) is not a failure of ours.
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

const ctx: CliContext = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  // no-color.org: only a non-empty NO_COLOR turns colour off.
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
  signal: controller.signal,
};

main(process.argv.slice(2), ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`batchprep: internal error: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = 2;
  },
);
