/**
 * Shared helpers for the benchmark suites (`benchmarks/suites/*.mjs`, run by `run.mjs`).
 *
 * A suite is a module whose default export is `{ name, async run(ctx) }`. `run` returns an
 * array of tables `{ title, rows, notes? }` (rows: plain objects, one per line, keys become
 * columns in first-seen order, values printed as given) or a ready markdown string.
 *
 * ctx = { sizes, repeat, log, lib }
 *   sizes   file sizes in MB to measure, e.g. [10, 200, 1024] (MB = 2^20 bytes throughout)
 *   repeat  the `--repeat N` the user gave, or null: use `repeatsFor(sizeMb, ctx.repeat)`
 *   log     log(...msg): progress lines to stderr
 *   lib     this module
 *
 * What is here:
 *   dataDir, repoRoot, cliPath, nodePath, baselinePath(name)
 *   ensureConsentCsv(sizeMb, {seed, withDefaultsGaps}) -> {path, bytes, rows, distinctIds}
 *   ensureConsentJson(sizeMb, {seed})                  -> {path, bytes, rows, distinctIds}
 *       deterministic VALID consent files, written streaming into benchmarks/data/ (git-
 *       ignored) and cached by name: a second call with the same arguments reuses the file.
 *   ensureGenerated(name, sizeMb, writeRows) -> {path, bytes, rows}
 *       the same caching for a suite's own data file (see its comment).
 *   timeProcess(cmd, args, {env, stdin, cwd})
 *       -> {seconds, cpuSeconds, peakRssMb, exitCode, stdout, stderr}
 *       one whole process: wall time, user+system CPU time and peak RSS (GNU time, else a
 *       Node `--import` hook).
 *   runCases(cases, repeats, log) -> [{name, seconds, cpuSeconds, peakRssMb, runs, failures, last}]
 *       runs each case `repeats` times round-robin (so load drift hits all cases alike);
 *       seconds and cpuSeconds are medians, peakRssMb the maximum over the runs.
 *   repeatsFor(sizeMb, repeat), median(xs), mbps(bytes, seconds), fmt(n, digits),
 *   formatTable(rows)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));

/** Repository root (the folder holding package.json). */
export const repoRoot = dirname(here);
/** Generated input files live here; git-ignored. */
export const dataDir = join(here, 'data');
/** The CLI as installed: executed directly, so the V8 flags of its shebang apply as they do for `npx batchprep`. */
export const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');
/** The Node binary running the harness; every process in a table uses the same one. */
export const nodePath = process.execPath;
/** Path of a baseline script, e.g. baselinePath('count-papaparse'). */
export const baselinePath = (name) => join(here, 'baselines', `${name}.mjs`);

const MB = 1024 * 1024;
/** Bump when the generators change so cached files are made again. */
const GENERATOR_VERSION = 1;

// ---------------------------------------------------------------------------------------
// Deterministic generators

/** Small fast seeded PRNG (sfc32): the same seed gives the same file on every machine. */
function makeRandom(seed) {
  let a = 0x9e3779b9 ^ seed, b = 0x243f6a88 + seed, c = 0xb7e15162 ^ (seed * 31), d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** murmur3's 32-bit finaliser: a bijection, so distinct row numbers give distinct words. */
function mix32(h) {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (w) => HEX2[w >>> 24] + HEX2[(w >>> 16) & 255] + HEX2[(w >>> 8) & 255] + HEX2[w & 255];

/**
 * A v4-looking UUID that is unique per row: the first 8 hex digits are a bijection of the
 * row number (so no two rows share an ID), the rest is random with version 4 and variant bits.
 */
function makeUuid(i, seed, rnd) {
  const w0 = mix32((i + Math.imul(seed, 0x01000193)) >>> 0);
  const w1 = rnd(), w2 = rnd(), w3 = rnd();
  const s1 = hex8(w1), s2 = hex8(w2), s3 = hex8(w3);
  const variant = '89ab'[w2 & 3];
  return `${hex8(w0)}-${s1.slice(0, 4)}-4${s1.slice(5, 8)}-${variant}${s2.slice(1, 4)}-${s2.slice(4, 8)}${s3}`;
}

/**
 * Date ranges as real batches have them: a handful of ranges repeated over most rows, with
 * Z and numeric offsets and fractional seconds; every range has from <= to.
 */
const DATE_RANGES = [
  ['2024-01-01T00:00:00Z', '2024-12-31T23:59:59Z'],
  ['2024-01-01T00:00:00Z', '2024-06-30T23:59:59Z'],
  ['2023-04-01T00:00:00+05:30', '2024-03-31T23:59:59+05:30'],
  ['2024-07-01T05:30:00.250+05:30', '2025-06-30T23:59:59.999+05:30'],
  ['2022-01-01T00:00:00Z', '2024-12-31T00:00:00Z'],
  ['2024-02-29T00:00:00Z', '2024-03-31T00:00:00Z'],
  ['2023-10-01T00:00:00-04:00', '2023-12-31T23:59:59-05:00'],
  ['2024-03-15T12:00:00.5Z', '2024-03-15T12:00:00.5Z'],
];
/** Cumulative weights for DATE_RANGES (heavy head: the first two cover ~70% of rows). */
const DATE_WEIGHTS = cumulative([45, 25, 10, 7, 5, 4, 3, 1]);

/** configIds: empty, plain, and CSV-quoted ones with commas or doubled quotes. */
const CONFIG_IDS = ['', 'cfg-default', 'ANALYTICS_V2', 'retail-monthly-01', 'retail, monthly', 'bank "A", savings', 'wealth;quarterly/2024'];
const CONFIG_WEIGHTS = cumulative([35, 25, 10, 10, 10, 5, 5]);

function cumulative(ws) {
  const total = ws.reduce((s, w) => s + w, 0);
  let acc = 0;
  return ws.map((w) => (acc += w) / total);
}

function pick(cum, r) {
  const x = r / 4294967296;
  let i = 0;
  while (i < cum.length - 1 && x >= cum[i]) i++;
  return i;
}

/** One row's values (strings, '' = empty cell / absent key). */
function makeRow(i, seed, rnd, gaps) {
  const id = makeUuid(i, seed, rnd);
  const r = rnd();
  const [from, to] = DATE_RANGES[pick(DATE_WEIGHTS, rnd())];
  // Which date cells are filled: both (most), none, only one. More gaps for defaults tests.
  const emptyBoth = gaps ? 0.35 : 0.08;
  const x = (r & 0xffff) / 65536;
  let f = from, t = to;
  if (x < emptyBoth) { f = ''; t = ''; }
  else if (x < emptyBoth + 0.04) f = '';
  else if (x < emptyBoth + 0.08) t = '';
  let config = CONFIG_IDS[pick(CONFIG_WEIGHTS, rnd())];
  if (gaps && (r >>> 16) % 3 === 0) config = '';
  // About 1 row in 100 has an upper-case ID (accepted: either case).
  return { id: (r >>> 24) < 3 ? id.toUpperCase() : id, from: f, to: t, config };
}

const csvCell = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** True while a process with this id exists (signal 0 only checks). */
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Writes a generated file once: streaming through a temp file then renamed, with a
 * `.meta.json` beside it holding the row count, so a later run reuses both. For other data
 * files: `writeRows(write, written, targetBytes)` calls `await write(string)` until
 * `written() >= targetBytes` and returns its row count.
 */
export async function ensureGenerated(name, sizeMb, writeRows) {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, name);
  const metaPath = `${path}.meta.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (meta.version === GENERATOR_VERSION && statSync(path).size === meta.bytes) return { path, ...meta };
    } catch { /* regenerate */ }
  }
  // Temp files of an interrupted earlier run (their pid is gone) would only fill the disk.
  for (const f of readdirSync(dataDir)) {
    const m = f.startsWith(`${name}.`) && /\.(\d+)\.tmp$/.exec(f);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(dataDir, f), { force: true });
  }
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  let bytes = 0;
  const write = async (s) => {
    const buf = Buffer.from(s, 'utf8');
    bytes += buf.length;
    await fh.write(buf);
  };
  let rows;
  try {
    rows = await writeRows(write, () => bytes, sizeMb * MB);
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const meta = { version: GENERATOR_VERSION, bytes, rows, distinctIds: rows };
  await writeFile(metaPath, JSON.stringify(meta));
  return { path, ...meta };
}

/**
 * A valid consent CSV of about `sizeMb` MB (never less), header
 * `consentId,fiDataRangeFrom,fiDataRangeTo,configId`, unique IDs. `withDefaultsGaps` leaves
 * many more date and configId cells empty (for suites that pass --from/--to/--config-id).
 */
export async function ensureConsentCsv(sizeMb, { seed = 1, withDefaultsGaps = false } = {}) {
  const name = `consent-${sizeMb}mb-seed${seed}${withDefaultsGaps ? '-gaps' : ''}.csv`;
  return ensureGenerated(name, sizeMb, async (write, written, target) => {
    const rnd = makeRandom(seed);
    await write('consentId,fiDataRangeFrom,fiDataRangeTo,configId\n');
    let i = 0;
    while (written() < target) {
      let chunk = '';
      for (let k = 0; k < 8192; k++, i++) {
        const r = makeRow(i, seed, rnd, withDefaultsGaps);
        chunk += `${r.id},${r.from},${r.to},${csvCell(r.config)}\n`;
      }
      await write(chunk);
    }
    return i;
  });
}

/**
 * A valid consent JSON array of about `sizeMb` MB (never less), one object per line, unique
 * IDs; empty values are absent keys or `null`, as real exports have them.
 */
export async function ensureConsentJson(sizeMb, { seed = 1 } = {}) {
  const name = `consent-${sizeMb}mb-seed${seed}.json`;
  return ensureGenerated(name, sizeMb, async (write, written, target) => {
    const rnd = makeRandom(seed);
    await write('[\n');
    let i = 0;
    while (written() < target) {
      let chunk = '';
      for (let k = 0; k < 8192; k++, i++) {
        const r = makeRow(i, seed, rnd, false);
        let o = `${i === 0 ? '' : ',\n'}{"consentId":"${r.id}"`;
        if (r.from) o += `,"fiDataRangeFrom":"${r.from}"`;
        if (r.to) o += `,"fiDataRangeTo":"${r.to}"`;
        else if (i % 2) o += ',"fiDataRangeTo":null';
        if (r.config) o += `,"configId":${JSON.stringify(r.config)}`;
        chunk += `${o}}`;
      }
      await write(chunk);
    }
    await write('\n]\n');
    return i;
  });
}

// ---------------------------------------------------------------------------------------
// Timing one process

const GNU_TIME = '/usr/bin/time';
/** True when GNU time is there (`apt-get install -y time`) and BENCH_NO_GNU_TIME is unset; else the Node hook is used. */
export const hasGnuTime = existsSync(GNU_TIME) && !process.env.BENCH_NO_GNU_TIME;
/** The `--import` hook that writes the process's own CPU times and peak RSS (KiB) on exit. */
const RSS_HOOK = join(here, 'rss-hook.mjs');

const STDOUT_CAP = 32 * MB;

/**
 * Runs one whole process and measures wall time and peak RSS. With GNU time the RSS is the
 * kernel's for the process; without it only Node processes report (through NODE_OPTIONS
 * --import of rss-hook.mjs), and peakRssMb is NaN for others. `stdin` is a file path.
 */
export function timeProcess(cmd, args, { env, stdin, cwd = repoRoot } = {}) {
  const rssFile = join(tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let file = cmd, argv = args;
  const childEnv = { ...process.env, ...env };
  if (hasGnuTime) {
    file = GNU_TIME;
    argv = ['-f', '%U %S %M', '-o', rssFile, cmd, ...args];
  } else {
    childEnv.NODE_OPTIONS = `${childEnv.NODE_OPTIONS ?? ''} --import ${pathToFileURL(RSS_HOOK).href}`.trim();
    childEnv.BENCH_RSS_FILE = rssFile;
  }
  const stdinFd = stdin ? openSync(stdin, 'r') : 'ignore';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, env: childEnv, stdio: [stdinFd, 'pipe', 'pipe'] });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    const out = [], err = [];
    let outBytes = 0, errBytes = 0;
    child.stdout.on('data', (b) => { if ((outBytes += b.length) <= STDOUT_CAP) out.push(b); });
    child.stderr.on('data', (b) => { if ((errBytes += b.length) <= 64 * 1024) err.push(b); });
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      let peakRssMb = NaN, cpuSeconds = NaN;
      try {
        // "user system maxRSS-KiB"; GNU time may print "Command exited with non-zero
        // status N" on a line before it.
        const lines = (await readFile(rssFile, 'utf8')).trim().split('\n');
        const [user, sys, rss] = lines[lines.length - 1].split(' ').map(Number);
        peakRssMb = rss / 1024;
        cpuSeconds = user + sys;
        rmSync(rssFile, { force: true });
      } catch { /* no RSS: not a Node process without GNU time, or killed */ }
      resolve({
        seconds,
        cpuSeconds,
        peakRssMb,
        exitCode: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/**
 * Runs cases round-robin `repeats` times. A case is `{name, cmd, args, env?, stdin?,
 * check?(result) -> string|undefined}`: `check` returns an error text when the output is
 * wrong (a wrong count, a non-zero exit); such runs are counted in `failures`.
 */
export async function runCases(cases, repeats, log = () => {}) {
  const results = cases.map((c) => ({ name: c.name, times: [], cpu: [], rss: [], failures: [], last: null }));
  for (let rep = 0; rep < repeats; rep++) {
    for (const [k, c] of cases.entries()) {
      const r = await timeProcess(c.cmd, c.args, { env: c.env, stdin: c.stdin });
      const problem = c.check ? c.check(r) : r.exitCode === 0 ? undefined : `exit ${r.exitCode}`;
      log(`  ${c.name} [${rep + 1}/${repeats}]: ${r.seconds.toFixed(2)} s, ${fmt(r.peakRssMb, 0)} MB RSS${problem ? `, FAILED: ${problem}` : ''}`);
      if (problem) results[k].failures.push(`${problem}${r.stderr ? `: ${r.stderr.trim().split('\n').at(-1).slice(0, 300)}` : ''}`);
      results[k].times.push(r.seconds);
      results[k].rss.push(r.peakRssMb);
      results[k].cpu.push(r.cpuSeconds);
      results[k].last = r;
    }
  }
  return results.map((r) => ({
    name: r.name,
    seconds: median(r.times),
    cpuSeconds: median(r.cpu),
    peakRssMb: Math.max(...r.rss),
    runs: r.times.length,
    failures: r.failures,
    last: r.last,
  }));
}

// ---------------------------------------------------------------------------------------
// Numbers and tables

/** Default repeats: 3 up to 200 MB, 1 above (a 1 GB run is long on shared cores). */
export const repeatsFor = (sizeMb, repeat) => repeat ?? (sizeMb > 200 ? 1 : 3);

/** Median of a list of numbers (mean of the middle two for even lengths). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Throughput in MB/s, MB = 2^20 bytes. */
export const mbps = (bytes, seconds) => bytes / MB / seconds;

/** A number with fixed digits, or an en dash when it is not a number. */
export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** A markdown table from row objects; columns in first-seen key order. */
export function formatTable(rows) {
  if (!rows.length) return '_(no rows)_\n';
  const cols = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const cell = (v) => String(v ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const numeric = cols.map((c) => rows.every((r) => r[c] === undefined || /^[-+]?[\d.]+x?$|^–$/.test(String(r[c]))));
  const lines = [
    `| ${cols.join(' | ')} |`,
    `| ${cols.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}
