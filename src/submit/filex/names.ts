import { FILE_NAME_PATTERN, fileNameProblem as coreFileNameProblem } from '../../core/file-name.js';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { APPLICATION, ORG_ID, SUB_SPACE } from '../../core/filex-rules.js';

/** fileX's FILE_NAME rule (guide: "Alphanumeric [a-zA-Z0-9]!@,&-='."), shared with `pack`. */
export const FILE_NAME = FILE_NAME_PATTERN;
export { APPLICATION, ORG_ID, SUB_SPACE };

/** Why a name fails the FILE_NAME rule, or undefined when it passes. */
export function fileNameProblem(name: string): string | undefined {
  return coreFileNameProblem(name) ?? undefined;
}

/** Refuses a file name that fileX would refuse, before any byte is sent. */
export function checkFileName(name: string, what = 'file name'): string {
  const problem = fileNameProblem(name);
  if (problem) {
    throw new BatchprepError(ErrorCode.InvalidFileName, `${what} '${name}' is not a valid fileX name: ${problem} (rename it or use --name)`);
  }
  return name;
}

/** A parsed `org[/app[/space[/file]]]` location. */
export interface FilexPath {
  org?: string;
  app?: string;
  space?: string;
  name?: string;
}

/** The path's segments in order, for URL building. */
export function pathSegments(p: FilexPath): string[] {
  const out: string[] = [];
  for (const s of [p.org, p.app, p.space, p.name]) {
    if (s === undefined) break;
    out.push(s);
  }
  return out;
}

/** `org/app/space[/name]` for messages. */
export function formatPath(p: FilexPath): string {
  return pathSegments(p).join('/');
}

/**
 * Parses `org[/app[/space[/file]]]` and checks each segment against the guide's rules,
 * so a typo is a usage error here rather than a 404 later. `min`/`max` say how many
 * segments the command needs. The FILE_NAME rule applies to a name we send (`upload`); a
 * name to fetch (`checkName: false`) is one fileX made and is taken as it is.
 */
export function parseFilexPath(raw: string, min: number, max: number, usage: string, options: { checkName?: boolean } = {}): FilexPath {
  const parts = raw.replace(/^\/+|\/+$/g, '').split('/').filter((s, i, a) => !(s === '' && a.length === 1));
  if (parts.length < min || parts.length > max || parts.some((s) => s === '')) {
    throw new BatchprepError(ErrorCode.UsageError, `'${raw}' is not a fileX path; expected ${usage}`);
  }
  const [org, app, space, name] = parts;
  if (org !== undefined && !ORG_ID.test(org)) {
    throw new BatchprepError(ErrorCode.UsageError, `org '${org}' must be digits (e.g. 0001), in '${raw}'`);
  }
  if (app !== undefined && !APPLICATION.test(app)) {
    throw new BatchprepError(ErrorCode.UsageError, `application '${app}' must be letters and digits, in '${raw}'`);
  }
  if (space !== undefined && !SUB_SPACE.test(space)) {
    throw new BatchprepError(ErrorCode.UsageError, `sub-space '${space}' must be letters, digits or _ (e.g. in, out, in_arcv), in '${raw}'`);
  }
  if (name !== undefined && options.checkName !== false) checkFileName(name);
  return { org, app, space, name };
}
