import { readFile } from 'node:fs/promises';
import { BatchprepError, ErrorCode, fromFsError } from '../errors.js';
import { configFilePath, parseConfig, sectionLabel } from './config-file.js';
import type { ConfigFile } from './config-file.js';
import { isProfileSetting, isSecretSetting, secretOfFileSetting } from './setting-names.js';

export type Env = Record<string, string | undefined>;

export interface ApplyProfileOptions {
  /** The profile the user chose (`--profile`); else BATCHPREP_PROFILE; else `[default]` if the file has one. */
  profile?: string;
  /** Directory relative paths are resolved from. */
  cwd: string;
}

/** Reads the config file; undefined when it does not exist and nobody asked for it. */
async function loadConfig(path: string, mustExist: boolean): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' && !mustExist) return undefined;
    throw fromFsError(err, path, 'read');
  }
  return parseConfig(text, path);
}

/**
 * Settings that are one choice written two ways: when the environment sets any of a group,
 * the profile's values for the whole group yield (FINPRO_BASE_URL=... in the shell must not
 * lose to a profile's FINPRO_UPLOAD_URL, which would otherwise win as the more specific one).
 */
const GROUPS: string[][] = [['FINPRO_BASE_URL', 'FINPRO_UPLOAD_URL']];

/** A URL with a password in it (`https://user:pass@proxy`) carries a secret. */
function hasUrlPassword(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value);
}

/** Refuses a key that is not a batchprep setting or that holds a secret, naming file and line. */
function checkEntry(path: string, section: string, key: string, value: string, line: number): void {
  const where = `${path}:${line}`;
  if (!isProfileSetting(key)) {
    throw new BatchprepError(
      ErrorCode.InvalidConfig,
      `${where}: '${key}' in [${sectionLabel(section)}] is not a batchprep setting; profile keys are the lower-case names of the FINPRO_*, FILEX_*, FIP_* and proxy environment variables (e.g. finpro_base_url)`,
      { file: path },
    );
  }
  if (isSecretSetting(key) || hasUrlPassword(value)) {
    const name = key.toUpperCase();
    throw new BatchprepError(
      ErrorCode.SecretInConfig,
      `${where}: '${key}' in [${sectionLabel(section)}] holds a secret, and secrets are never read from the config file; remove it and export ${isSecretSetting(key) ? `${name}, or ${name}_FILE naming a file that holds it` : `${name} (with its password) in the environment instead`}`,
      { file: path },
    );
  }
}

/**
 * Overlays the chosen profile under the real environment (precedence: flag > environment >
 * profile > default; flags are applied later by each command). Profile keys are the
 * lower-case names of the environment variables, so no consumer changes. A secret's `X_FILE`
 * from a profile yields to `X` or `X_FILE` in the environment. An unknown profile, a
 * malformed file, an unknown key or a secret is a coded error (exit 2) naming file and line.
 */
export async function applyProfile(env: Env, options: ApplyProfileOptions): Promise<Env> {
  const fromFlag = options.profile?.trim() || undefined;
  const chosen = fromFlag ?? (env.BATCHPREP_PROFILE?.trim() || undefined);
  const { path, explicit } = configFilePath(env, options.cwd);
  const config = await loadConfig(path, explicit || chosen !== undefined);
  if (!config) return env;
  // Every section is checked, not only the chosen one: the file must hold no secret at all.
  for (const s of config.sections.values()) for (const [key, entry] of s.entries) checkEntry(path, s.name, key, entry.value, entry.line);
  const name = chosen ?? 'default';
  const section = config.sections.get(name);
  if (!section) {
    if (chosen === undefined) return env;
    const known = [...config.sections.keys()];
    throw new BatchprepError(
      ErrorCode.ProfileNotFound,
      `${path}: no profile '${chosen}' (from ${fromFlag ? '--profile' : 'BATCHPREP_PROFILE'}); ${known.length ? `the file has ${known.map((k) => `[${sectionLabel(k)}]`).join(', ')}` : 'the file has no profiles'}. Add [profile ${chosen}] or pick one of those`,
      { file: path },
    );
  }
  const out: Env = { ...env };
  const isSet = (k: string) => env[k] !== undefined && env[k] !== '';
  for (const [key, entry] of section.entries) {
    const variable = key.toUpperCase();
    const secret = secretOfFileSetting(variable);
    const group = GROUPS.find((g) => g.includes(variable)) ?? [];
    if (isSet(variable) || (secret !== undefined && isSet(secret)) || group.some(isSet)) continue;
    out[variable] = entry.value;
  }
  return out;
}
