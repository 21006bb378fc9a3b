import { BatchprepError, ErrorCode } from '../errors.js';
import { checkDateTime, compareInstants, type DateFormat } from './datetime.js';

/** Global defaults (SPEC section 3): fill a row's empty cell or absent key, never a value the row has. */
export interface GlobalDefaults {
  fiDataRangeFrom?: string;
  fiDataRangeTo?: string;
  configId?: string;
}

const KEYS = ['fiDataRangeFrom', 'fiDataRangeTo', 'configId'] as const;
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): BatchprepError {
  return new BatchprepError(ErrorCode.InvalidDefaults, `invalid global default: ${message}`);
}

/**
 * Checks and merges `global_config` (an object or its JSON text) with the single fields,
 * which override the same key. A bad default is a usage error (`InvalidDefaults`), since
 * every row would inherit it. The same rules as the rows (and as `globalDefaultsSchema`,
 * which a property test keeps in agreement), without loading zod on the validation path.
 */
export function resolveDefaults(globalConfig?: unknown, singles: GlobalDefaults = {}, dateFormat: DateFormat = 'rfc3339'): GlobalDefaults | undefined {
  let base: unknown = globalConfig ?? {};
  if (typeof base === 'string') {
    try {
      base = JSON.parse(base);
    } catch (err) {
      throw new BatchprepError(ErrorCode.InvalidDefaults, `global config is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  }
  if (base === null || typeof base !== 'object' || Array.isArray(base)) {
    throw invalid('global config must be a JSON object with fiDataRangeFrom, fiDataRangeTo and/or configId');
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(singles)) if (v !== undefined) merged[k] = v;
  const out: GlobalDefaults = {};
  for (const [key, value] of Object.entries(merged)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw invalid(`unknown key ${JSON.stringify(key)} (allowed: ${KEYS.join(', ')})`);
    }
    if (value === null || value === '') continue;
    if (typeof value !== 'string') throw invalid(`${key} must be a string (got ${Array.isArray(value) ? 'an array' : typeof value})`);
    if (key === 'configId') {
      if (CONTROL.test(value)) throw invalid('configId must not contain control characters');
    } else {
      const check = checkDateTime(value, dateFormat);
      if (!check.ok) throw invalid(`${key} ${JSON.stringify(value)} ${check.reason}`);
    }
    out[key as keyof GlobalDefaults] = value;
  }
  if (out.fiDataRangeFrom && out.fiDataRangeTo) {
    const a = checkDateTime(out.fiDataRangeFrom, dateFormat);
    const b = checkDateTime(out.fiDataRangeTo, dateFormat);
    if (a.ok && b.ok && compareInstants(a, b) > 0) throw invalid(`fiDataRangeFrom ${out.fiDataRangeFrom} is later than fiDataRangeTo ${out.fiDataRangeTo}`);
  }
  return Object.keys(out).length ? out : undefined;
}
