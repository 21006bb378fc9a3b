// Resolve hook for load-probe.mjs: appends every resolved URL to the log file before the
// module loads, so the main thread can read the full list right after its imports.
import { appendFileSync, writeFileSync } from 'node:fs';

let log;
export function initialize(data) {
  log = data.log;
  writeFileSync(log, '');
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, `${result.url}\n`);
  return result;
}
