/**
 * Facts of the fileX Gateway that several layers check, in one place so pack and the
 * transports cannot drift apart: the upload cap and the path segment rules (the FILE_NAME
 * rule is in file-name.ts).
 */

/** The fileX Gateway upload cap: 5,120 MB. */
export const FILEX_MAX_BYTES = 5_368_709_120;

/** ORG_ID: digits. */
export const ORG_ID = /^[0-9]+$/;
/** APPLICATION: alphanumeric. */
export const APPLICATION = /^[A-Za-z0-9]+$/;
/** SUB_SPACE: the guide says alphanumeric, the service lists `in_arcv`, so `_` and `-` pass too. */
export const SUB_SPACE = /^[A-Za-z0-9_-]+$/;
