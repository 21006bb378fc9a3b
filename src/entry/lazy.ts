/**
 * The root entry's heavy functions, loaded on first call: `import 'batchprep'` must not pay
 * for archiver or undici (nor, through them, for the AWS SDK) when only validation is used.
 * The types come from the real modules, so the signatures cannot drift.
 */
import type * as PackModule from '../pack/pack.js';
import type * as FinProClientModule from '../submit/finpro/client.js';
import type * as ManifestSubmitModule from '../submit/finpro/manifest-submit.js';

/** Packs files into fileX archives; see `batchprep/pack`. */
export async function pack(...args: Parameters<typeof PackModule.pack>): ReturnType<typeof PackModule.pack> {
  return (await import('../pack/pack.js')).pack(...args);
}

/** Submits one file to FinPro; see `batchprep/finpro`. */
export async function submitToFinPro(...args: Parameters<typeof FinProClientModule.submitToFinPro>): ReturnType<typeof FinProClientModule.submitToFinPro> {
  return (await import('../submit/finpro/client.js')).submitToFinPro(...args);
}

/** Submits the parts of a prepare manifest; see `batchprep/finpro`. */
export async function submitManifest(...args: Parameters<typeof ManifestSubmitModule.submitManifest>): ReturnType<typeof ManifestSubmitModule.submitManifest> {
  return (await import('../submit/finpro/manifest-submit.js')).submitManifest(...args);
}
