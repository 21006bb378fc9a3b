/**
 * Benchmark runner: `node benchmarks/run.mjs [--only validate,prepare] [--sizes 10,200,1024]
 * [--repeat N] [--collect]` (`npm run bench` builds first). Runs each suite in benchmarks/suites/*.mjs,
 * prints its tables, writes them to benchmarks/results/<suite>.md, and rebuilds
 * benchmarks/results/latest.md from every suite's latest results file, so a run of one
 * suite keeps the other suites' last tables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as lib from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const suitesDir = join(here, 'suites');
const resultsDir = join(here, 'results');

const USAGE = `usage: node benchmarks/run.mjs [--only a,b] [--sizes 10,200,1024] [--repeat N]
  --only     suites to run (file names in benchmarks/suites/ without .mjs); default all
  --sizes    input sizes in MB (2^20 bytes); default 10,200,1024
  --repeat   runs per case (median); default 3 up to 200 MB, 1 above
  --collect  run nothing: only rebuild results/latest.md from results/<suite>.md`;

/** Reads the three flags; anything else is a usage error. */
function parseArgs(argv) {
  const opts = { only: null, sizes: [10, 200, 1024], repeat: null, collect: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--sizes') opts.sizes = value().split(',').map(Number);
    else if (flag === '--repeat') opts.repeat = Number(value());
    else if (flag === '--collect') opts.collect = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${argv[i]}`);
  }
  if (!opts.sizes.length || opts.sizes.some((s) => !(s > 0))) fail('--sizes takes positive numbers, e.g. 10,200');
  if (opts.repeat !== null && !(Number.isInteger(opts.repeat) && opts.repeat > 0)) fail('--repeat takes a positive integer');
  return opts;
}

function fail(msg) {
  console.error(`bench: ${msg}\n${USAGE}`);
  process.exit(2);
}

/** Machine and commit facts printed above every result, so numbers are read in context. */
function environment() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: lib.repoRoot, encoding: 'utf8' }).trim();
  } catch { /* not a git checkout */ }
  const cpu = cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- commit: ${commit}`,
    `- node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `- load average at start: ${loadavg().map((x) => x.toFixed(2)).join(', ')} (cores shared with other work)`,
    `- peak RSS from ${lib.hasGnuTime ? 'GNU time %M' : 'process.resourceUsage().maxRSS via benchmarks/rss-hook.mjs'}`,
  ].join('\n');
}

/** A suite's return value as markdown (array of tables or a ready string). */
function render(result) {
  if (typeof result === 'string') return result;
  return result
    .map((t) => `### ${t.title}\n\n${lib.formatTable(t.rows)}${t.notes ? `\n${t.notes}\n` : ''}`)
    .join('\n');
}

async function writeAtomic(path, text) {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const available = readdirSync(suitesDir).filter((f) => f.endsWith('.mjs')).sort().map((f) => basename(f, '.mjs'));
  const chosen = opts.collect ? [] : opts.only ?? available;
  for (const name of chosen) if (!available.includes(name)) fail(`no suite ${name} (have: ${available.join(', ')})`);
  if (chosen.length && !existsSync(lib.cliPath)) console.error(`bench: ${lib.cliPath} is missing: run \`npm run build\` (npm run bench does)`);

  const log = (...msg) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...msg);
  const ctx = { sizes: opts.sizes, repeat: opts.repeat, log, lib };
  await mkdir(resultsDir, { recursive: true });
  let failed = false;
  for (const name of chosen) {
    const mod = await import(pathToFileURL(join(suitesDir, `${name}.mjs`)).href);
    const suite = mod.default ?? mod.suite;
    log(`suite ${suite.name} (sizes ${opts.sizes.join(', ')} MB)`);
    const env = environment();
    let body;
    try {
      body = render(await suite.run(ctx));
    } catch (err) {
      failed = true;
      body = `Suite failed: ${err?.stack ?? err}\n`;
      console.error(body);
    }
    const md = `## ${suite.name}\n\n${env}\n\n${body}`;
    console.log(md);
    await writeAtomic(join(resultsDir, `${name}.md`), md);
  }

  const parts = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.md') && f !== 'latest.md')
    .sort()
    .map((f) => readFileSync(join(resultsDir, f), 'utf8').trim());
  await writeAtomic(
    join(resultsDir, 'latest.md'),
    `# Latest benchmark results\n\nWritten by \`node benchmarks/run.mjs\`; each section is the last run of that suite. See benchmarks/README.md for what the columns mean.\n\n${parts.join('\n\n')}\n`,
  );
  if (failed) process.exitCode = 1;
}

await main();
