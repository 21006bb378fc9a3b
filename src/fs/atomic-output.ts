import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { BatchprepError, ErrorCode, fromFsError, throwIfAborted } from '../errors.js';

/** Hidden work directories start with this; they are ignored when checking that a dir is empty. */
export const TEMP_PREFIX = '.batchprep-tmp-';

export interface AtomicOutputOptions {
  /** Allow a non-empty output directory; files of the same names are replaced. @default false */
  force?: boolean;
  /** Checked before the final renames. */
  signal?: AbortSignal;
}

/**
 * An output directory whose files appear only when all of them are complete: everything is
 * written into a hidden temp dir inside it, then renamed into place, `manifest.json` last.
 */
export interface AtomicOutput {
  /** The output directory. */
  readonly dir: string;
  /** The hidden temp directory files are written into. */
  readonly tempDir: string;
  /** Path in the temp dir for a final file name (a bare name, no directories). */
  tempPath(name: string): string;
  /** Moves `names` into place in order, then `manifest.json` if written; removes the temp dir. */
  commit(names: string[]): Promise<void>;
  /** Removes the temp dir and all it holds; safe to call twice or after commit. */
  abort(): Promise<void>;
}

/**
 * Prepares `dir` for atomic output: creates it if missing, refuses a non-empty one without
 * `force`, and makes the temp dir (so an unwritable target fails before any work is done).
 */
export async function openAtomicOutput(dir: string, options: AtomicOutputOptions = {}): Promise<AtomicOutput> {
  // The first directory this call created (undefined when `dir` existed): a failure removes
  // what it created, so a failed run leaves no new, empty out-dir behind.
  let created: string | undefined;
  try {
    created = await mkdir(dir, { recursive: true });
  } catch (err) {
    const e = fromFsError(err, dir, 'write');
    if ((err as NodeJS.ErrnoException)?.code === 'EEXIST' || (err as NodeJS.ErrnoException)?.code === 'ENOTDIR') {
      throw new BatchprepError(ErrorCode.NotWritable, `${dir}: exists and is not a directory (choose another --out-dir)`, { cause: err, file: dir });
    }
    throw e.code === ErrorCode.IoError ? new BatchprepError(ErrorCode.NotWritable, `${dir}: cannot create the output directory (${e.message})`, { cause: err, file: dir }) : e;
  }
  let existing: string[];
  try {
    existing = (await readdir(dir)).filter((n) => !n.startsWith(TEMP_PREFIX));
  } catch (err) {
    throw fromFsError(err, dir, 'write');
  }
  if (existing.length > 0 && !options.force) {
    throw new BatchprepError(
      ErrorCode.OutputExists,
      `${dir}: the output directory is not empty (${existing.length} entr${existing.length === 1 ? 'y' : 'ies'}); choose an empty one or pass --force to replace its files`,
      { file: dir },
    );
  }
  const tempDir = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await mkdir(tempDir);
  } catch (err) {
    await removeCreated(dir, created);
    const e = fromFsError(err, dir, 'write');
    throw new BatchprepError(ErrorCode.NotWritable, `${dir}: cannot write in the output directory (${e.message})`, { cause: err, file: dir });
  }
  let finished = false;
  const checkName = (name: string) => {
    if (name.length === 0 || name.includes('/') || name.includes(sep) || name === '.' || name === '..' || name.startsWith(TEMP_PREFIX)) {
      throw new BatchprepError(ErrorCode.InvalidFileName, `"${name}" is not a bare output file name`);
    }
  };
  return {
    dir,
    tempDir,
    tempPath(name) {
      checkName(name);
      return join(tempDir, name);
    },
    async commit(names) {
      throwIfAborted(options.signal);
      if (options.force) await removePreviousOutputs(dir, new Set(names));
      try {
        for (const name of names) {
          checkName(name);
          if (name === 'manifest.json') continue;
          await rename(join(tempDir, name), join(dir, name));
        }
        if (await exists(join(tempDir, 'manifest.json'))) await rename(join(tempDir, 'manifest.json'), join(dir, 'manifest.json'));
      } catch (err) {
        throw fromFsError(err, dir, 'write');
      }
      finished = true;
      await rm(tempDir, { recursive: true, force: true });
    },
    async abort() {
      if (finished) return;
      finished = true;
      await rm(tempDir, { recursive: true, force: true }).catch(() => {});
      await removeCreated(dir, created);
    },
  };
}

/**
 * Removes the directories `openAtomicOutput` created, from `dir` up to `created`, each only
 * while empty (rmdir, never recursive): something another process put there stays.
 */
async function removeCreated(dir: string, created: string | undefined): Promise<void> {
  if (created === undefined) return;
  const top = resolve(created);
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
    if (d === top || dirname(d) === d) return;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * With `--force`, the files a previous run listed in its manifest are removed, so a stale
 * `part-0007` of a larger earlier run cannot be mistaken for part of this one.
 */
async function removePreviousOutputs(dir: string, keep: Set<string>): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    return;
  }
  // Loaded here, not at the top: zod is needed only when --force meets an earlier output.
  const { packManifestSchema, parseDocument, prepareManifestSchema } = await import('../core/manifests.js');
  const prepared = parseDocument(prepareManifestSchema, text);
  const packed = parseDocument(packManifestSchema, text);
  // A manifest neither command wrote is left alone, and so are the files it names.
  if (!prepared.ok && !packed.ok) return;
  const files = prepared.ok ? prepared.value.parts.map((p) => p.file) : packed.ok ? packed.value.archives.map((a) => a.file) : [];
  for (const f of files) {
    if (keep.has(f) || isAbsolute(f) || normalize(f).startsWith('..') || f.includes('/') || f.includes('\\')) continue;
    await rm(join(dir, f), { force: true }).catch(() => {});
  }
  await rm(join(dir, 'manifest.json'), { force: true }).catch(() => {});
}
