import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { BatchprepError, ErrorCode } from '../errors.js';

/** One `key = value` line of a profile, with the line it came from (for messages). */
export interface ConfigEntry {
  value: string;
  line: number;
}

/** One `[default]` or `[profile NAME]` section. */
export interface ConfigSection {
  name: string;
  line: number;
  /** Keys lower-case, as written. */
  entries: Map<string, ConfigEntry>;
}

/** A parsed config file: sections by profile name (`default` for `[default]`). */
export interface ConfigFile {
  path: string;
  sections: Map<string, ConfigSection>;
}

/**
 * Where the config file is, as aws-cli and rclone users expect: `$BATCHPREP_CONFIG_FILE`,
 * else `$XDG_CONFIG_HOME/batchprep/config`, else `~/.config/batchprep/config`. `explicit`
 * tells whether the user named it (then a missing file is an error).
 */
export function configFilePath(env: Record<string, string | undefined>, cwd: string): { path: string; explicit: boolean } {
  const named = env.BATCHPREP_CONFIG_FILE?.trim();
  if (named) return { path: resolve(cwd, named), explicit: true };
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return { path: join(xdg, 'batchprep', 'config'), explicit: false };
  const home = env.HOME?.trim() || homedir();
  return { path: join(home, '.config', 'batchprep', 'config'), explicit: false };
}

function malformed(path: string, line: number, why: string): BatchprepError {
  return new BatchprepError(ErrorCode.InvalidConfig, `${path}:${line}: ${why}`, { file: path });
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Parses the aws-cli style INI subset: `[default]` and `[profile NAME]` sections,
 * `key = value` lines, `#` and `;` comment lines, blank lines. Written here rather than taken
 * from the `ini` package because that one accepts anything silently, and a mistyped line must
 * fail naming its file and line. A duplicate section or key is an error, not a silent override.
 */
export function parseConfig(text: string, path: string): ConfigFile {
  const sections = new Map<string, ConfigSection>();
  let current: ConfigSection | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = /^\[\s*(.*?)\s*\]$/.exec(line);
      if (!m) throw malformed(path, n, `'${line}' is not a section header; write [default] or [profile NAME]`);
      const words = m[1]!.split(/\s+/);
      let name: string;
      if (words.length === 1 && words[0] === 'default') name = 'default';
      else if (words.length === 2 && words[0] === 'profile' && NAME.test(words[1]!)) name = words[1]!;
      else throw malformed(path, n, `'${line}' is not a section header; write [default] or [profile NAME] (NAME of letters, digits, '.', '_', '-')`);
      const before = sections.get(name);
      if (before) throw malformed(path, n, `profile '${name}' is defined twice (first at line ${before.line}); merge the two sections`);
      current = { name, line: n, entries: new Map() };
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw malformed(path, n, `'${line.length > 60 ? `${line.slice(0, 57)}...` : line}' is not 'key = value', a [section] or a comment`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!KEY.test(key)) throw malformed(path, n, `'${key}' is not a setting name (letters, digits and '_', e.g. finpro_base_url)`);
    if (!current) throw malformed(path, n, `'${key}' comes before any section; put it under [default] or [profile NAME]`);
    const lower = key.toLowerCase();
    const before = current.entries.get(lower);
    if (before) throw malformed(path, n, `'${lower}' is set twice in [${sectionLabel(current.name)}] (first at line ${before.line})`);
    current.entries.set(lower, { value, line: n });
  }
  return { path, sections };
}

/** `default` or `profile NAME`, as the section is written. */
export function sectionLabel(name: string): string {
  return name === 'default' ? 'default' : `profile ${name}`;
}
