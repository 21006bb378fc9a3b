/**
 * Facts of the fileX Gateway that several layers check, in one place so pack and the
 * transports cannot drift apart.
 */

/** The fileX Gateway upload cap: 5,120 MB. */
export const FILEX_MAX_BYTES = 5_368_709_120;
