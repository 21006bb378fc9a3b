// The FinPro test server is the sandbox's own (src/sandbox/finpro-server.ts), so the tests and
// `batchprep sandbox` cannot drift apart. Tests keep importing it from here.
export * from '../../src/sandbox/finpro-server.js';
