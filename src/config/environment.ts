import { applyProfile } from './profile.js';
import type { Env } from './profile.js';
import { resolveSecretFiles } from './secret-files.js';

export type { Env } from './profile.js';

export interface ResolveEnvironmentOptions {
  /** `--profile NAME`; else BATCHPREP_PROFILE; else `[default]` when the file has one. */
  profile?: string;
  /** Relative paths (BATCHPREP_CONFIG_FILE, `*_FILE`) are resolved from here. */
  cwd: string;
}

/**
 * The settings every command reads, in one map: the chosen profile under the real
 * environment, then secret files read into their variables. The CLI calls this once before
 * a command runs; library users may call it to get the same behaviour.
 */
export async function resolveEnvironment(env: Env, options: ResolveEnvironmentOptions): Promise<Env> {
  return resolveSecretFiles(await applyProfile(env, options), options.cwd);
}
