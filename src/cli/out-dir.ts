import { readdir, rmdir } from 'node:fs/promises';

/** Whether a directory existed before a command ran (undefined: it did not). */
export type DirSnapshot = { existed: boolean };

/** Notes whether `dir` exists now, so that a failure can tell a directory it made from the user's. */
export async function snapshotDir(dir: string): Promise<DirSnapshot> {
  try {
    await readdir(dir);
    return { existed: true };
  } catch {
    return { existed: false };
  }
}

/**
 * After a failure: removes `dir` if this run created it and it is empty, so a failed
 * `prepare`/`pack` leaves no new, empty output directory. A directory the user had, or one
 * with anything in it, is left alone.
 */
export async function removeIfNewAndEmpty(dir: string, before: DirSnapshot): Promise<void> {
  if (before.existed) return;
  try {
    if ((await readdir(dir)).length === 0) await rmdir(dir);
  } catch {
    // Gone already, or not ours to remove: nothing to do.
  }
}
