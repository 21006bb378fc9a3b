// Child-process probe for install.test.ts: imports the given specifiers, then prints (as
// JSON) every package whose files were resolved, through ESM (a resolve hook that appends
// each URL to a file, synchronously) or require() (require.cache).
import { register, createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bp-probe-'));
const log = join(dir, 'urls.txt');
register(new URL('./load-probe-hooks.mjs', import.meta.url), { data: { log } });

const require = createRequire(`${process.cwd()}/`);
for (const spec of process.argv.slice(2)) await import(spec);
const urls = readFileSync(log, 'utf8').split('\n');
if (process.env.PROBE_DEBUG) console.error(urls); rmSync(dir, { recursive: true, force: true });
const packages = new Set();
for (const p of [...urls, ...Object.keys(require.cache)]) {
  const m = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
  if (m) packages.add(m[1]);
}
process.stdout.write(JSON.stringify([...packages].sort()));
