import { BatchprepError, ErrorCode } from '../errors.js';
import { globalDefaultsSchema } from './schemas.js';

/** Global defaults (SPEC section 3): fill a row's empty cell or absent key, never a value the row has. */
export interface GlobalDefaults {
  fiDataRangeFrom?: string;
  fiDataRangeTo?: string;
  configId?: string;
}

/**
 * Checks and merges `global_config` (an object or its JSON text) with the single fields,
 * which override the same key. A bad default is a usage error (`InvalidDefaults`), since
 * every row would inherit it.
 */
export function resolveDefaults(globalConfig?: unknown, singles: GlobalDefaults = {}): GlobalDefaults | undefined {
  let base: unknown = globalConfig ?? {};
  if (typeof base === 'string') {
    try {
      base = JSON.parse(base);
    } catch (err) {
      throw new BatchprepError(ErrorCode.InvalidDefaults, `global config is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  }
  if (base === null || typeof base !== 'object' || Array.isArray(base)) {
    throw new BatchprepError(ErrorCode.InvalidDefaults, 'global config must be a JSON object with fiDataRangeFrom, fiDataRangeTo and/or configId');
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(singles)) if (v !== undefined) merged[k] = v;
  for (const k of Object.keys(merged)) if (merged[k] === null || merged[k] === '') delete merged[k];
  const parsed = globalDefaultsSchema.safeParse(merged);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const where = first.path.length ? `${first.path.join('.')}: ` : '';
    const hint = first.code === 'unrecognized_keys' ? ' (allowed: fiDataRangeFrom, fiDataRangeTo, configId)' : '';
    throw new BatchprepError(ErrorCode.InvalidDefaults, `invalid global default: ${where}${first.message}${hint}`);
  }
  const d = parsed.data;
  return Object.keys(d).length ? d : undefined;
}
