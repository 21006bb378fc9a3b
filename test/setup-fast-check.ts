// Property tests are reproducible: one fixed seed unless FC_SEED names another, so CI runs the
// same cases every time. fast-check's failure message carries the seed and the shrink path;
// re-run a failure with FC_SEED=<seed>. FC_SEED=random explores new cases locally.
import fc from 'fast-check';

const raw = process.env.FC_SEED;
const seed = raw === 'random' ? Date.now() ^ (Math.random() * 0x7fffffff) : raw ? Number(raw) : 20261129;
if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${raw}`);
fc.configureGlobal({ seed });
if (raw === 'random') process.stderr.write(`fast-check seed: ${seed} (re-run with FC_SEED=${seed})\n`);
