import { randomBytes } from 'node:crypto';
import { BatchprepError, ErrorCode } from '../../errors.js';
import { isValidReferenceId, utcStamp } from '../../core/finpro-rules.js';

export { isValidReferenceId, REFERENCE_ID_PATTERN } from '../../core/finpro-rules.js';

/** Refuses a reference ID the server would refuse, before any byte is sent. */
export function checkReferenceId(id: string): string {
  if (!isValidReferenceId(id)) {
    const shown = id.length > 70 ? `${id.slice(0, 67)}...` : id;
    throw new BatchprepError(
      ErrorCode.InvalidReferenceId,
      `reference ID '${shown}' is invalid: use 5 to 60 characters of A-Z, a-z, 0-9, '_' and '-' (it has ${id.length})`,
    );
  }
  return id;
}

/**
 * Makes a reference ID before the first attempt, so that every retry of one upload carries the
 * same ID and a lost reply cannot create a second batch: `bp-<yyyymmddHHMMss>-<8 hex>` (UTC).
 */
export function generateReferenceId(now: Date = new Date()): string {
  return `bp-${utcStamp(now)}-${randomBytes(4).toString('hex')}`;
}
