/**
 * fileX's FILE_NAME rule (transfer guide, "Alphanumeric [a-zA-Z0-9]!@,&-='."), shared by
 * `pack` (archive and entry names) and the fileX client (upload names). Pure: no node:*.
 */

/** The characters fileX accepts in a FILE_NAME. */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9!@,&\-='.]+$/;

const BAD_CHAR = /[^A-Za-z0-9!@,&\-='.]/gu;

/** Longest name we produce or accept; common file systems stop at 255 bytes. */
export const MAX_FILE_NAME_LENGTH = 255;

/**
 * Why `name` is not a valid fileX FILE_NAME, or `null` when it is. The reason names the
 * offending characters so the user can rename, or use `--sanitize-names`.
 */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name === '.' || name === '..') return `"${name}" is not a file name`;
  if (name.length > MAX_FILE_NAME_LENGTH) return `the name is ${name.length} characters long (at most ${MAX_FILE_NAME_LENGTH})`;
  const bad = name.match(BAD_CHAR);
  if (bad) {
    const shown = [...new Set(bad)].map((c) => (c === ' ' ? 'space' : JSON.stringify(c))).join(', ');
    return `it contains ${shown}; fileX allows only letters, digits and ! @ , & - = ' .`;
  }
  return null;
}

/** True when `name` matches fileX's FILE_NAME rule. */
export function isValidFileName(name: string): boolean {
  return fileNameProblem(name) === null;
}

/**
 * Makes any name valid under the FILE_NAME rule: accents are dropped (é -> e), every other
 * disallowed character becomes `-`, runs of `-` collapse, and the result is cut to 255
 * characters keeping the extension. Stable: sanitizing a valid name returns it unchanged.
 */
export function sanitizeFileName(name: string): string {
  if (isValidFileName(name)) return name;
  let s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  s = s.replace(BAD_CHAR, '-').replace(/-{2,}/g, '-');
  if (s === '' || s === '.' || s === '..' || /^[-.]+$/.test(s)) s = `file${s === '' ? '' : s.replace(/\./g, '-')}`;
  if (s.length > MAX_FILE_NAME_LENGTH) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
    s = s.slice(0, MAX_FILE_NAME_LENGTH - ext.length) + ext;
  }
  return s;
}

/** Splits `name.ext` into stem and extension (with its dot); no dot means no extension. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}
